import { describe, expect, it } from "vitest";
import { dateLine, displayDate } from "../../src/knowledge/dates.js";

describe("dates", () => {
  it("shows an ISO day as dd/mm/yyyy", () => {
    expect(displayDate("2024-11-23")).toBe("23/11/2024");
    expect(displayDate("2025-01-01")).toBe("01/01/2025");
  });

  it("writes the date line of an article file with the Vietnamese weekday", () => {
    expect(dateLine("2024-11-23")).toBe("Thứ Bảy, 23/11/2024");
    expect(dateLine("2024-11-24")).toBe("Chủ Nhật, 24/11/2024");
    expect(dateLine("2024-11-25")).toBe("Thứ Hai, 25/11/2024");
    expect(dateLine("2025-01-01")).toBe("Thứ Tư, 01/01/2025");
  });
});
