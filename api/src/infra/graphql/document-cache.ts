import { createHash } from 'node:crypto';
import type { DocumentNode } from 'graphql';

/** Valid documents kept for reuse, least recently used evicted first. @default 500 */
const CACHED_DOCUMENTS = 500;
/** Longer query texts (characters) are parsed for each operation and never kept. @default 8192 */
export const CACHED_QUERY_MAX_LENGTH = 8192;

/** The key both transports use for a query text: its SHA-256 in hex, as Apollo Server computes it. */
export function queryHash(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

/**
 * The parsed and validated documents, by query hash, shared by HTTP (Apollo's `documentStore`) and
 * the WebSocket: a document parsed for one is reused by the other, and so is the compiled query
 * kept beside it. A subscription holds its document for its whole life, and a parsed document is
 * ~10 KB: sockets that send the same text share one. graphql-js and graphql-jit never mutate one.
 *
 * Apollo prefixes its keys with the schema's hash (one store could serve several schemas); the
 * schema never changes while a process runs, so only the query hash after the last `:` is kept.
 */
export class DocumentCache {
  private readonly documents = new Map<string, DocumentNode>();

  private static keyOf(key: string): string {
    return key.slice(key.lastIndexOf(':') + 1);
  }

  get(key: string): Promise<DocumentNode | undefined> {
    return Promise.resolve(this.lookup(DocumentCache.keyOf(key)));
  }

  set(key: string, document: DocumentNode): Promise<void> {
    this.store(DocumentCache.keyOf(key), document);
    return Promise.resolve();
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.documents.delete(DocumentCache.keyOf(key)));
  }

  /** The document of a query hash, marked as most recently used. */
  lookup(hash: string): DocumentNode | undefined {
    const document = this.documents.get(hash);
    if (document) {
      this.documents.delete(hash);
      this.documents.set(hash, document);
    }
    return document;
  }

  store(hash: string, document: DocumentNode): void {
    const source = document.loc?.source.body;
    if (source !== undefined && source.length > CACHED_QUERY_MAX_LENGTH) return;
    this.documents.set(hash, document);
    if (this.documents.size > CACHED_DOCUMENTS) this.documents.delete(this.documents.keys().next().value!);
  }
}
