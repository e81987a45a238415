import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Field names selected beneath the current field, at any depth (fragments followed, directives
 * ignored: a skipped field still counts, which only ever means computing a little more). For
 * resolvers that compute only what is asked; `top` holds the names directly beneath it.
 */
export function selectedNames(info: GraphQLResolveInfo): { top: Set<string>; all: Set<string> } {
  const top = new Set<string>();
  const all = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined, depth: number) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        if (depth === 0) top.add(s.name.value);
        all.add(s.name.value);
        walk(s.selectionSet, depth + 1);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        walk(s.selectionSet, depth);
      } else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        walk(info.fragments[s.name.value]?.selectionSet, depth);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet, 0);
  return { top, all };
}
