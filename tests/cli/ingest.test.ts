import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { FURNITURE_TEXTS, INTERVIEW, type NewsSite, articlePage, startNewsSite } from "../../testkit/news-site.js";
import { REPO_ROOT, builtCli } from "../../testkit/build.js";

const seed = readFileSync(path.join(REPO_ROOT, "knowledge/2024-11-23-soc-trang-dan-van-kheo.txt"));

/**
 * Runs the command asynchronously: the test's HTTP server must keep answering meanwhile.
 * `descriptors` limits the files the process may hold open (bash's ulimit).
 */
function ingest(args: string[], knowledgeDir: string, descriptors?: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const command = [process.execPath, builtCli("ingest"), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(descriptors ? "bash" : command[0]!, descriptors ? ["-c", `ulimit -n ${descriptors} && exec "$0" "$@"`, ...command] : command.slice(1), {
      cwd: REPO_ROOT,
      env: { ...process.env, KNOWLEDGE_DIR: knowledgeDir, LOG_LEVEL: "silent", BOT_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const tempDir = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

let site: NewsSite;
beforeAll(async () => {
  site = await startNewsSite({
    "/chinh-tri/dan-van-kheo.html": { body: articlePage(INTERVIEW) },
    "/khong-co.html": { status: 404, body: "Không tìm thấy trang" },
  });
});
afterAll(() => site.close());

describe("npm run ingest", () => {
  it("a file: checked, saved into KNOWLEDGE_DIR under its own name; saving it again changes nothing", async () => {
    const dir = tempDir("hoibao-ingest-");
    const input = path.join(tempDir("hoibao-input-"), "bai-moi.txt");
    writeFileSync(input, seed);
    const run = await ingest([input], dir);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const [name, ...others] = readdirSync(dir);
    expect(others).toEqual([]);
    expect(name).toMatch(/^2024-11-23-soc-trang-phong-trao-thi-dua-dan-van-kheo-[a-z0-9-]+\.txt$/);
    expect(readFileSync(path.join(dir, name!))).toEqual(seed);
    expect(run.stdout).toContain(`saved: ${path.join(dir, name!)}`);
    expect(run.stdout).toContain("passages: 7 (3 interview questions)");
    expect(run.stdout).toContain("Phong trào thi đua “Dân vận khéo”");
    expect(run.stdout).toContain("announces it");

    const again = await ingest([input], dir);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("unchanged:");
    // Nothing was saved, so nothing will be announced: it says so, not "the bot picks it up".
    expect(again.stdout).toContain("Nothing changed");
    expect(again.stdout).not.toContain("announces it");
    expect(readdirSync(dir)).toEqual([name]);
  });

  it("a folder of more article files than the process may open at once: an article already there is found, not saved twice", async () => {
    const dir = tempDir("hoibao-ingest-many-");
    for (let i = 0; i < 3000; i += 1) writeFileSync(path.join(dir, `tin-${i}.txt`), `Thứ Hai, 02/12/2024\nTin số ${i}\n\nĐoạn tin số ${i}.\n\n(baosoctrang.org.vn)\n`);
    writeFileSync(path.join(dir, "zz-da-co.txt"), seed);
    const input = path.join(tempDir("hoibao-input-"), "bai-moi.txt");
    writeFileSync(input, seed);
    const run = await ingest([input], dir, 160);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`unchanged: ${path.join(dir, "zz-da-co.txt")}`);
    expect(readdirSync(dir)).toHaveLength(3001);
  });

  it("a URL: fetched, only the article kept, saved with the page URL as source mark", async () => {
    const dir = tempDir("hoibao-ingest-");
    const url = `${site.url}/chinh-tri/dan-van-kheo.html`;
    const run = await ingest([url], dir);
    expect(run.status, run.stderr).toBe(0);
    const [name] = readdirSync(dir);
    const text = readFileSync(path.join(dir, name!), "utf8");
    expect(text.startsWith(`Thứ Bảy, 23/11/2024\n${INTERVIEW.title}\n\nPhóng viên: Trong những năm qua`)).toBe(true);
    expect(text.trimEnd().endsWith(`(${url})`)).toBe(true);
    for (const furniture of FURNITURE_TEXTS) expect(text).not.toContain(furniture);
    const article = parseArticle(Buffer.from(text), name!);
    expect(article.pageUrl).toBe(url);
    expect(run.stdout).toContain(`page:     ${url}`);
    expect(run.stdout).toContain("passages: 3 (2 interview questions)");
  });

  it("a malformed file, a missing page: exit 1 with the reason on stderr, nothing written", async () => {
    const dir = tempDir("hoibao-ingest-");
    const bad = path.join(tempDir("hoibao-input-"), "sai.txt");
    writeFileSync(bad, "Thứ Bảy, 23/11/2024\nTiêu đề bài báo\n\nMột đoạn văn nhưng không có dấu nguồn ở cuối.\n");
    const run = await ingest([bad], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: no source mark`));
    expect(readdirSync(dir)).toEqual([]);

    const badDate = path.join(path.dirname(bad), "sai-ngay.txt");
    writeFileSync(badDate, "Thứ Bảy, 31/02/2024\nTiêu đề\n\nĐoạn văn.\n\n(baosoctrang.org.vn)\n");
    const dateRun = await ingest([badDate], dir);
    expect(dateRun.status).toBe(1);
    expect(dateRun.stderr).toContain(`${badDate}:1: "Thứ Bảy, 31/02/2024" is not a real date`);

    const missing = await ingest([`${site.url}/khong-co.html`], dir);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("HTTP 404");
    expect(readdirSync(dir)).toEqual([]);
  });
});
