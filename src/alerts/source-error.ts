/**
 * A source of articles (a feed, a page) that failed, with its URL and the reason, said the same way
 * whichever step failed: callers log and report FetchError, ExtractError and FeedError alike.
 */
export class SourceError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`);
    this.name = new.target.name;
  }
}
