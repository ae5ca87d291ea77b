import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed operations for the web app, generated from the committed schema (no running server needed).
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['web/src/**/*.{ts,vue}', '!web/src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    'web/src/gql/': {
      preset: 'client',
      // Fragments are plain reusable field sets here (stores own the data), not masked per component.
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string' } },
    },
  },
};

export default config;
