import { describe, expect, it } from "vitest";
import { analyzeQuery } from "../../src/knowledge/query.js";
import { seedIndex } from "./helpers.js";

const labels = (q: string) => analyzeQuery(q).concepts.map((c) => c.label);

describe("reading a question", () => {
  it("an English question stays English with a Vietnamese name in it, toned or not", () => {
    expect(analyzeQuery("What is the price of ST25 rice in Sóc Trăng?").language).toBe("en");
    expect(analyzeQuery("How long does the speedboat from Can Tho to Cu Lao Dung take?").language).toBe("en");
    expect(analyzeQuery("giá lúa ST25 ở Sóc Trăng bao nhiêu").language).toBe("vi");
    expect(analyzeQuery("gia lua o soc trang bao nhieu").language).toBe("vi");
  });

  it("English asking words count after a greeting or a lead-in, not in the middle of a sentence", () => {
    expect([...(analyzeQuery("Hi, who is the director of the agriculture department?").expects?.kinds ?? [])]).toContain("person");
    expect([...(analyzeQuery("So when will the road open?").expects?.kinds ?? [])]).toContain("time");
    expect(analyzeQuery("What motto should cadres follow when working with the people?").expects).toBeUndefined();
  });

  it("colloquial forms are read as the written word, without doubling 'bao nhiêu'", () => {
    expect(labels("giá lúa nhiêu vậy")).toEqual(labels("giá lúa bao nhiêu vậy"));
    expect([...(analyzeQuery("giá lúa bao nhiêu tiền").expects?.kinds ?? [])]).toEqual(["money"]);
  });

  it("'y' is a Vietnamese word ('Sở Y tế'), a lone letter of markup is not", () => {
    expect(labels("Sở Y tế có bao nhiêu bác sĩ?").join("|")).toMatch(/y tế/);
    expect(labels("<b>khó khăn</b>")).not.toContain("b");
  });

  it("a question with no topic — only a measure or a number — is never answered with confidence", () => {
    const index = seedIndex();
    for (const q of ["Bao nhiêu người?", "how much money?", "bao nhiêu tiền?", "What percentage?", "2025", "1"]) {
      expect(analyzeQuery(q).topical, q).toBe(false);
      expect(index.search(q).tier, q).toBe("none");
    }
    expect(analyzeQuery("Bao nhiêu mô hình dân vận khéo?").topical).toBe(true);
  });
});
