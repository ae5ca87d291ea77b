import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printSchemaFile } from '../src/infra/graphql/print-schema';
import { createAppSchema } from '../src/registry';

describe('schema.graphql', () => {
  it('matches the schema generated from the resolvers (run "npm run schema" after changing them)', async () => {
    const committed = readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8');
    expect(printSchemaFile(await createAppSchema())).toBe(committed);
  });

  it('has no field another user could read a position from', async () => {
    const schema = await createAppSchema();
    const leaks: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !('getFields' in type) || type.name.endsWith('Input')) continue;
      for (const field of Object.values(type.getFields())) {
        if (/lat|lon|lng|geo|coord|position|location/i.test(field.name)) leaks.push(`${type.name}.${field.name}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('describes every type, field, argument and enum value', async () => {
    const schema = await createAppSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)) continue;
      if (!type.description && !['Query', 'Mutation', 'Subscription'].includes(type.name)) missing.push(type.name);
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : [])
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if ('getValues' in type) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
