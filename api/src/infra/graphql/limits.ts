import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { Config } from '../../config';
import { ErrorCode } from './errors';

/** Which limit a rejected document hit; sent as `extensions.limit` next to code BAD_USER_INPUT. */
export enum QueryLimit {
  DEPTH = 'DEPTH',
  ALIASES = 'ALIASES',
  DIRECTIVES = 'DIRECTIVES',
  COST = 'COST',
}

function reject(limit: QueryLimit) {
  return {
    propagateOnRejection: false,
    onReject: [
      (ctx: ValidationContext | null, error: GraphQLError) => {
        ctx?.reportError(new GraphQLError(error.message, { extensions: { code: ErrorCode.BAD_USER_INPUT, limit } }));
      },
    ],
  };
}

/**
 * The depth of graphql-js' own introspection query (`getIntrospectionQuery`, what GraphiQL and code
 * generators send): its `ofType` chain is what makes it deep. Deeper introspection has no use.
 */
export const INTROSPECTION_MAX_DEPTH = 15;

/**
 * The general depth rule skips `__schema` (the standard introspection query is deeper than any
 * query of ours), so documents that introspect get their own bound, the deeper of the two.
 */
function introspectionDepthRule(limits: Config['graphql']): ValidationRule {
  const rule = maxDepthRule({
    n: Math.max(limits.maxDepth, INTROSPECTION_MAX_DEPTH),
    ignoreIntrospection: false,
    flattenFragments: true,
    ...reject(QueryLimit.DEPTH),
  });
  return (context) => (context.getDocument().loc?.source.body.includes('__schema') ? rule(context) : {});
}

/** Validation rules that reject abusive documents before any resolver runs (HTTP and WebSocket). */
export function limitRules(limits: Config['graphql']): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ...reject(QueryLimit.DEPTH) }),
    introspectionDepthRule(limits),
    // armor allows unlimited aliased __typename by default; an alias costs the same whatever it names.
    maxAliasesRule({ n: limits.maxAliases, allowList: [], ...reject(QueryLimit.ALIASES) }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reject(QueryLimit.DIRECTIVES) }),
    costLimitRule({ maxCost: limits.maxCost, ...reject(QueryLimit.COST) }),
  ];
}

/** Parser limits: a document with more tokens is refused while parsing (GRAPHQL_PARSE_FAILED). */
export function parseOptions(limits: Config['graphql']): ParseOptions {
  return { maxTokens: limits.maxTokens, noLocation: false };
}

const SUGGESTION = / ?Did you mean .+\?$/;

/** graphql-js appends "Did you mean ...?" with real field names; never show them to probers. */
export function stripSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}
