import { readFileSync, readdirSync } from "node:fs";
import { expect, it } from "vitest";
import { parseEvalFile } from "../../src/knowledge/evaluate.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { KnowledgeIndex } from "../../src/knowledge/search-index.js";

/**
 * Speed work on the index must not change what readers get: every question of every eval set,
 * asked among all the eval articles, gives the same tier, passages and answering sentence as the
 * recorded answers. A change meant to alter answers updates the record (`npx vitest -u`) and says
 * why in its commit.
 */
const EVAL = new URL("../../eval/", import.meta.url);
const articlesIn = (folder: URL) =>
  readdirSync(folder)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((f) => parseArticle(readFileSync(new URL(f, folder)), f));
const SETS = ["dev.jsonl", "questions.jsonl", "holdout.jsonl", "blind.jsonl", "corpus/dev/set-a.jsonl", "corpus/dev/set-b.jsonl", "corpus/shared/questions.jsonl", "corpus/holdout/questions.jsonl"];

it("every eval question gets the recorded answer", async () => {
  const index = KnowledgeIndex.build([
    ...articlesIn(new URL("../../knowledge/", import.meta.url)),
    ...["dev", "shared", "holdout"].flatMap((corpus) => articlesIn(new URL(`corpus/${corpus}/articles/`, EVAL))),
  ]);
  const answers = SETS.flatMap((set) => parseEvalFile(readFileSync(new URL(set, EVAL), "utf8"), set)).map(({ q }) => {
    const answer = index.search(q);
    return `${answer.tier}\t${q}\n${answer.hits.map((hit) => `  ${hit.passage.id} ${hit.sentence.slice(0, 80)}`).join("\n")}`;
  });
  await expect(answers.join("\n")).toMatchFileSnapshot("__snapshots__/answers-unchanged.txt");
});
