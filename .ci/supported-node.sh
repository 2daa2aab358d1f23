# Sourced by .ci/run: puts a Node.js that package.json "engines" accepts (^22.13.0 || >=24) first
# on PATH. A machine whose Node is older takes Node 22 from the npm registry (the `node` package),
# the one registry CI can always reach. This runs before `npm ci`, so it cannot use
# local/prerequisites.ts; test/unit/ci-supported-node.test.ts holds it to package.json's range.

# Whether a `node --version` (v22.13.0) is in the supported range.
node_version_supported() {
  local version="${1#v}" major minor
  major="${version%%.*}"
  minor="${version#*.}"
  minor="${minor%%.*}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  [ "$major" -ge 24 ] || { [ "$major" -eq 22 ] && [ "$minor" -ge 13 ]; }
}

use_supported_node() {
  local found node22
  found="$(node --version)"
  node_version_supported "$found" && return 0
  node22="$(npm exec --yes --package=node@22 -- node -p process.execPath)"
  export PATH="$(dirname "$node22"):$PATH"
  if ! node_version_supported "$(node --version)"; then
    echo "Node.js $found is older than 22.13, and after switching PATH to $node22 \`node\` is still $(node --version): install Node.js 22.13+ or 24+ (package.json engines)" >&2
    return 1
  fi
  echo "System Node.js $found is older than 22.13; using $(node --version) from the npm registry ($node22)"
}
