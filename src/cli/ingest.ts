/**
 * Adds articles to the knowledge folder (KNOWLEDGE_DIR).
 *   npm run ingest -- knowledge-draft.txt                     an article file, checked then copied in
 *   npm run ingest -- https://baosoctrang.org.vn/…/bai.html   a page, fetched and turned into an article file
 *
 * A malformed article is refused with "file:line: reason" on stderr, exit code 1, nothing written.
 * The running bot watches the folder: it indexes the saved file and announces it to subscribers.
 */
import { fetchArticle } from "../alerts/extract-article.js";
import { saveArticle } from "../alerts/save-article.js";
import { SourceError } from "../alerts/source-error.js";
import { formatArticle } from "../knowledge/format-article.js";
import { readArticleFile } from "../knowledge/load-knowledge.js";
import { ArticleError, parseArticle } from "../knowledge/parse-article.js";
import { commandLine } from "./arguments.js";
import { loadConfig } from "./bootstrap.js";

const USAGE = `usage: npm run ingest -- <article file or page URL> [more …]
Checks each article and saves it into KNOWLEDGE_DIR (a page is fetched and turned into an article
file); a running bot indexes it and announces it. A malformed article is refused with file:line.`;

/** Whether the file changed the knowledge folder. */
async function ingestOne(input: string, knowledgeDir: string, allowPrivate: boolean): Promise<boolean> {
  let bytes: Uint8Array;
  let source: string;
  if (/^https?:\/\//i.test(input)) {
    process.stderr.write(`fetching ${input} …\n`);
    // The operator typed this URL; where it redirects is the site's doing, and is checked.
    const extracted = await fetchArticle(input, { timeoutMs: 20_000, trustedUrl: true, allowPrivate });
    bytes = Buffer.from(formatArticle(extracted), "utf8");
    source = input;
  } else {
    bytes = await readArticleFile(input, input);
    source = input;
  }
  parseArticle(bytes, source); // file:line: reason before anything is written
  const saved = await saveArticle(knowledgeDir, bytes, { source });
  const { article } = saved;
  const verb = { created: "saved", updated: "updated", unchanged: "unchanged" }[saved.status];
  process.stdout.write(
    [
      `${verb}: ${saved.file}`,
      `  title:    ${article.place ? `${article.place}: ` : ""}${article.title}`,
      `  date:     ${article.date}`,
      `  passages: ${article.passages.length}${article.sections.length ? ` (${article.sections.length} interview questions)` : ""}`,
      ...(article.pageUrl ? [`  page:     ${article.pageUrl}`] : []),
      "",
    ].join("\n"),
  );
  return saved.status !== "unchanged";
}

async function main(): Promise<void> {
  const { positionals: inputs } = commandLine({ name: "ingest", usage: USAGE, options: {}, positionals: true });
  if (inputs.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  let failed = 0;
  let changed = 0;
  for (const input of inputs) {
    try {
      if (await ingestOne(input, config.knowledgeDir, config.alerts.allowPrivateAddresses)) changed += 1;
    } catch (error) {
      failed += 1;
      if (error instanceof ArticleError || error instanceof SourceError) process.stderr.write(`${error.message}\n`);
      else if ((error as NodeJS.ErrnoException).code === "ENOENT") process.stderr.write(`${input}: no such file\n`);
      else process.stderr.write(`${input}: ${(error as Error).message}\n`);
    }
  }
  if (changed > 0) process.stdout.write("The running bot picks the file up, indexes it and announces it to subscribers.\n");
  else if (failed < inputs.length) process.stdout.write("Nothing changed: the knowledge folder already holds this article as it is.\n");
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
