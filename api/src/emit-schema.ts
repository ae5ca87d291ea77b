/** `npm run schema`: writes the SDL generated from the resolvers to the repository root. */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSchemaFile } from './infra/graphql/print-schema';
import { createAppSchema } from './registry';

async function main(): Promise<void> {
  const target = path.resolve(__dirname, '../../schema.graphql');
  writeFileSync(target, printSchemaFile(await createAppSchema()));
  console.log(`wrote ${target}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
