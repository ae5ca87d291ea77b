import type { ApolloClient } from '@apollo/client/core';
import { inject, type InjectionKey } from 'vue';

/** What the stores receive from the composition root (main.ts), or from a test. */
export interface ApiContext {
  client: ApolloClient<unknown>;
  /** Called after the WebSocket came back from a drop (not on the first connect); returns an unsubscribe. */
  onReconnected(listener: () => void): () => void;
  /** Resolves once the WebSocket is connected (it connects when the first subscription starts). */
  whenConnected(): Promise<void>;
  /** `POST /uploads` with the access token; resolves with the upload id, rejects with the API's error body. */
  uploadImage(file: Blob): Promise<{ id: string }>;
  dispose(): void;
}

export const apiKey: InjectionKey<ApiContext> = Symbol('api');

/** The API context provided to the app; stores call it inside their setup function. */
export function useApi(): ApiContext {
  const api = inject(apiKey, null);
  if (!api) throw new Error('No API context: provide apiKey on the app before using the stores');
  return api;
}
