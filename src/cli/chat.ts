/** npm run chat: the local chat, whatever the environment says about Telegram. */
import { runLocalChat } from "../bot/local-chat.js";
import { commandLine } from "./arguments.js";
import { loadConfig, loggerFor, openKnowledge } from "./bootstrap.js";

commandLine({
  name: "chat",
  usage: "usage: npm run chat\nThe bot in this terminal, over the articles of KNOWLEDGE_DIR (type /help in it); pipe lines in to script it.",
  options: {},
});
const config = loadConfig();
const logger = loggerFor(config);
const { index } = await openKnowledge(config, logger);
await runLocalChat({ deps: { knowledge: index, logger } });
