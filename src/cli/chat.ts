/** npm run chat: the local chat, whatever the environment says about Telegram. */
import { runLocalChat } from "../bot/local-chat.js";
import { loadConfig, loggerFor, openKnowledge } from "./bootstrap.js";

const config = loadConfig();
const logger = loggerFor(config);
const { index } = await openKnowledge(config, logger);
await runLocalChat({ deps: { knowledge: index, logger } });
