// The GraphQL playground served by the API at /playground: GraphiQL bundled with its fonts and
// styles (no CDN), talking to this origin's /graphql over HTTP and graphql-ws.
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { createElement, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DEFAULT_HEADERS, DEFAULT_QUERY } from './default-query';
import { createPlaygroundFetcher } from './fetcher';

const fetcher = createPlaygroundFetcher({
  url: '/graphql',
  subscriptionUrl: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`,
});

const root = document.getElementById('graphiql');
if (!root) throw new Error('playground.html has no #graphiql element');

// Headers are not persisted (shouldPersistHeaders defaults to false): a token never lands in localStorage.
createRoot(root).render(
  createElement(
    StrictMode,
    null,
    createElement(
      GraphiQL,
      {
        fetcher,
        defaultQuery: DEFAULT_QUERY,
        defaultHeaders: DEFAULT_HEADERS,
        defaultEditorToolsVisibility: 'headers',
      },
      createElement(GraphiQL.Logo, null, 'randchat'),
    ),
  ),
);
