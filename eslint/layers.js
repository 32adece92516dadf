// The `ringside/layers` lint rule: each folder of src/ (a layer) may import only the layers and
// packages its entry in eslint/layerTable.js allows. The table and the reasons behind it are in
// docs/architecture.md. A relative import is resolved to the file it names, so `../sqlite/x`
// from src/adapters/redis is seen as src/adapters/sqlite whatever the spelling.
import { dirname, relative, resolve, sep } from 'node:path';
import { builtinModules } from 'node:module';

const BUILTINS = new Set(builtinModules);

/** 'node:fs/promises' and 'fs/promises' are both node:fs; 'react-dom/client' is react-dom; '@a/b/c' is @a/b. */
export function packageOf(specifier) {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  const head = bare.split('/')[0];
  if (specifier.startsWith('node:') || BUILTINS.has(head) || BUILTINS.has(bare)) return `node:${head}`;
  if (specifier.startsWith('@')) return specifier.split('/').slice(0, 2).join('/');
  return head;
}

/** The layer a repository path belongs to: the longest matching prefix in the table, or null. */
export function layerOf(repoPath, layers) {
  let best = null;
  for (const name of Object.keys(layers)) {
    if ((repoPath === name || repoPath.startsWith(`${name}/`)) && (!best || name.length > best.length)) best = name;
  }
  return best;
}

function toPosix(path) {
  return path.split(sep).join('/');
}

/** @param {{ root: string, layers: Record<string, { layers: string[], packages?: { allow?: string[], deny?: string[] } }> }} options */
function check(context, node, specifier, options) {
  const { root, layers } = options;
  const from = layerOf(toPosix(relative(root, context.filename)), layers);
  if (!from || typeof specifier !== 'string') return;
  const rule = layers[from];
  if (specifier.startsWith('.')) {
    const target = toPosix(relative(root, resolve(dirname(context.filename), specifier)));
    const to = layerOf(target, layers);
    if (to === null || to === from || rule.layers.includes(to)) return;
    context.report({ node, messageId: 'layer', data: { from, to, allowed: rule.layers.join(', ') || 'nothing else' } });
    return;
  }
  const pkg = packageOf(specifier);
  const { allow, deny } = rule.packages ?? {};
  if ((allow && !allow.includes(pkg)) || (deny && deny.includes(pkg))) {
    context.report({ node, messageId: 'package', data: { from, pkg } });
  }
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer of src/ imports only what docs/architecture.md allows it.' },
    schema: [{ type: 'object', additionalProperties: true }],
    messages: {
      layer: '{{from}} must not import {{to}} (it may import: {{allowed}}); see docs/architecture.md.',
      package: '{{from}} must not import {{pkg}}; see docs/architecture.md.',
    },
  },
  create(context) {
    const options = context.options[0];
    const visit = (node, source) => {
      if (source && source.type === 'Literal') check(context, node, source.value, options);
    };
    return {
      ImportDeclaration: (node) => visit(node, node.source),
      ExportNamedDeclaration: (node) => visit(node, node.source),
      ExportAllDeclaration: (node) => visit(node, node.source),
      ImportExpression: (node) => visit(node, node.source),
      TSImportType: (node) => visit(node, node.argument?.literal ?? node.argument),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') visit(node, node.arguments[0]);
      },
    };
  },
};

export const ringsidePlugin = { rules: { layers: layersRule } };
