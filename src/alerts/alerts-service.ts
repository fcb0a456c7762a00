/**
 * The alert machinery of a running bot: the folder watcher, the feed poller and the broadcaster,
 * started together and stopped in order (sources first, then sends). The storage is the caller's:
 * the bot's subscription commands use it too, so it is opened before the bot and closed after this.
 */
import { Api } from "grammy";
import type { Config } from "../config.js";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import type { Logger } from "../logger.js";
import type { Storage } from "../storage/repositories.js";
import { Broadcaster, type RenderAlert } from "./broadcaster.js";
import { KnowledgeWatcher } from "./knowledge-watcher.js";
import { NewArticles } from "./new-articles.js";

/** Bot API methods that send or change a message in a chat: those count against Telegram's limit. */
const MESSAGE_METHODS = /^(send|edit|copy|forward)/;

export interface AlertsService {
  readonly broadcaster: Broadcaster;
  stop(): Promise<void>;
}

export interface StartAlertsOptions {
  readonly config: Config;
  readonly storage: Storage;
  readonly token: string;
  readonly apiRoot: string;
  /** The bot's own client (answers): alerts make room for the messages it sends. */
  readonly botApi: Api;
  /** Writes each alert in its subscriber's language (the bot's messages). */
  readonly renderAlert: RenderAlert;
  readonly knowledge: KnowledgeIndex;
  readonly logger: Logger;
}

export async function startAlerts(options: StartAlertsOptions): Promise<AlertsService> {
  const { config, storage, knowledge, logger } = options;
  // Its own client, without auto-retry: the broadcaster answers 429 per chat instead of waiting.
  const api = new Api(options.token, { apiRoot: options.apiRoot });
  const broadcaster = new Broadcaster({
    api,
    storage,
    knowledge,
    renderAlert: options.renderAlert,
    logger: logger.child({ part: "alerts" }),
    ratePerSecond: config.alerts.alertRate,
  });
  // Telegram's ~30 messages a second are shared: answers first, alerts take what is left.
  options.botApi.config.use((prev, method, payload, signal) => {
    if (MESSAGE_METHODS.test(method)) broadcaster.noteAnswerSent();
    return prev(method, payload, signal);
  });
  const newArticles = new NewArticles({ knowledge, storage, logger, onQueued: () => broadcaster.wake() });
  const queued = newArticles.reconcile();
  if (queued > 0) logger.info({ alerts: queued }, "articles added while the bot was down announced");
  const watcher = new KnowledgeWatcher({ dir: config.knowledgeDir, knowledge, newArticles, logger });
  watcher.start();
  // Feeds save new articles into the folder; the watcher indexes and announces them. The poller
  // (an RSS parser and a DOM for reading pages: ~25 MB) is loaded only when there are feeds.
  const feeds = config.alerts.feedUrls.length
    ? new (await import("./feed-poller.js")).FeedPoller({
        feedUrls: config.alerts.feedUrls,
        intervalMs: config.alerts.feedIntervalMs,
        storage,
        knowledgeDir: config.knowledgeDir,
        known: { fileOf: (id, pageUrl) => knowledge.articleHead(id)?.file ?? (pageUrl === undefined ? undefined : knowledge.articleHeads.find((a) => a.pageUrl === pageUrl)?.file) },
        allowPrivateAddresses: config.alerts.allowPrivateAddresses,
        logger: logger.child({ part: "feeds" }),
      })
    : undefined;
  feeds?.start();
  broadcaster.start();
  logger.info({ database: config.alerts.databasePath, subscribers: storage.subscriptions.count(), outbox: storage.outbox.counts() }, "alerts ready");

  return {
    broadcaster,
    async stop() {
      await feeds?.stop();
      await watcher.stop();
      newArticles.stop();
      await broadcaster.stop();
    },
  };
}
