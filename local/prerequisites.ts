/**
 * The system programs the local cloud and the tests need, checked in one place: a supported
 * Node.js (package.json `engines`), Java 17+ (AWS's DynamoDB Local is a Java program) and, for
 * the tests, Chromium (the HTML cost report is rendered in it). `npm start`, `npm test` and
 * `.ci/run` ask here first (local/check-prerequisites.ts), DynamoDB Local runs the java found
 * here (`javaCommand`) and its start-up failure names the same fix, and the cost-report test
 * runs the Chromium found here (`chromiumCommand`).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../lib/repo-root.js';

export type Prerequisite = 'java' | 'chromium';

type Environment = Readonly<Record<string, string | undefined>>;

interface PrerequisiteSpec {
  /** The commands to try, in order (a name on PATH or a path); the first that runs is the one. */
  candidates(env: Environment): readonly string[];
  /** Where it was looked for, for the "missing" message. */
  readonly whereLooked: string;
  readonly versionArgument: string;
  /** What a person calls it. */
  readonly label: string;
  /** The oldest major version that works. */
  readonly minimumMajor: number;
  /** The major version in the program's version output, or undefined when it cannot be read. */
  majorOf(output: string): number | undefined;
  /** What a program that runs prints when it is no real installation (macOS's `java` stub). */
  readonly notInstalled?: RegExp;
  readonly aptPackage: string;
  /** Homebrew's install, with the step that makes the program reachable where one is needed. */
  readonly brewInstall: string;
}

/** The variable naming the Chromium (or Chrome) binary to use, e.g. on macOS the app's binary. */
export const CHROMIUM_VARIABLE = 'BULKHEAD_CHROMIUM';
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'] as const;
const MACOS_CHROMIUM = '/Applications/Chromium.app/Contents/MacOS/Chromium';

/**
 * The java to run: `$JAVA_HOME/bin/java` when there is one (as Java tools do), else `java` on
 * PATH. One function for the check and for DynamoDB Local, so both run the same java.
 */
export function javaCommand(env: Environment = process.env): string {
  const javaHome = env.JAVA_HOME;
  if (javaHome !== undefined && javaHome !== '') {
    const java = join(javaHome, 'bin', 'java');
    if (existsSync(java)) return java;
  }
  return 'java';
}

export const PREREQUISITES: Readonly<Record<Prerequisite, PrerequisiteSpec>> = {
  java: {
    candidates: (env) => [javaCommand(env)],
    whereLooked: '`$JAVA_HOME/bin/java` or `java` on PATH',
    versionArgument: '-version',
    label: 'Java 17+',
    minimumMajor: 17,
    // `openjdk version "17.0.15" 2025-04-15`; before Java 9, `java version "1.8.0_381"`.
    majorOf: (output) => {
      const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
      if (match === null) return undefined;
      return match[1] === '1' && match[2] !== undefined ? Number(match[2]) : Number(match[1]);
    },
    // macOS ships /usr/bin/java, a stub that says this until a JDK is installed and linked.
    notInstalled: /Unable to locate a Java Runtime/,
    aptPackage: 'openjdk-17-jre-headless',
    // Homebrew's openjdk@17 is keg-only: the link (its own caveat) is what puts it behind `java`.
    brewInstall:
      'brew install openjdk@17 && sudo ln -sfn "$(brew --prefix)/opt/openjdk@17/libexec/openjdk.jdk" ' +
      '/Library/Java/JavaVirtualMachines/openjdk-17.jdk',
  },
  chromium: {
    candidates: (env) => {
      const explicit = env[CHROMIUM_VARIABLE];
      return explicit !== undefined && explicit !== '' ? [explicit] : CHROMIUM_NAMES;
    },
    whereLooked: `${CHROMIUM_NAMES.map((name) => `\`${name}\``).join(', ')} on PATH, or ${CHROMIUM_VARIABLE}`,
    versionArgument: '--version',
    label: 'Chromium',
    minimumMajor: 1,
    // `Chromium 156.0.7690.0 built on Debian …`; `Google Chrome 156.0.7690.0`.
    majorOf: (output) => {
      const match = /(?:Chromium|Google Chrome) (\d+)\./.exec(output);
      return match === null ? undefined : Number(match[1]);
    },
    aptPackage: 'chromium',
    // The cask installs an app, not a command: the variable names its binary.
    brewInstall: `brew install --cask chromium && export ${CHROMIUM_VARIABLE}="${MACOS_CHROMIUM}"`,
  },
};

/** What `npm start` and `npm test` need. */
export const NEEDED_BY = {
  start: ['java'],
  test: ['java', 'chromium'],
} as const satisfies Record<string, readonly Prerequisite[]>;

/** Runs a program and answers what it printed (stdout and stderr), or `undefined` when it does not exist. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string | undefined>;

export type Problem =
  | { readonly prerequisite: Prerequisite; readonly kind: 'missing' }
  | {
      readonly prerequisite: Prerequisite;
      readonly kind: 'too old';
      readonly command: string;
      readonly major: number;
    }
  | {
      readonly prerequisite: Prerequisite;
      readonly kind: 'unparsable';
      readonly command: string;
      readonly output: string;
    };

/** The first of the prerequisite's candidates that runs and is a real installation, with its version output. */
async function locate(
  prerequisite: Prerequisite,
  run: CommandRunner,
  env: Environment,
): Promise<{ readonly command: string; readonly output: string } | undefined> {
  const spec = PREREQUISITES[prerequisite];
  for (const command of spec.candidates(env)) {
    const output = await run(command, [spec.versionArgument]);
    if (output !== undefined && !spec.notInstalled?.test(output)) return { command, output };
  }
  return undefined;
}

/** What is wrong with one prerequisite on this machine, or the command that runs it. */
async function examine(
  prerequisite: Prerequisite,
  run: CommandRunner,
  env: Environment,
): Promise<{ readonly command: string } | { readonly problem: Problem }> {
  const found = await locate(prerequisite, run, env);
  if (found === undefined) return { problem: { prerequisite, kind: 'missing' } };
  const { command, output } = found;
  const major = PREREQUISITES[prerequisite].majorOf(output);
  if (major === undefined)
    return {
      problem: { prerequisite, kind: 'unparsable', command, output: output.trim().split('\n')[0] ?? '' },
    };
  if (major < PREREQUISITES[prerequisite].minimumMajor)
    return { problem: { prerequisite, kind: 'too old', command, major } };
  return { command };
}

/** The problems with `needed` on this machine; empty when everything is there. */
export async function checkPrerequisites(
  needed: readonly Prerequisite[],
  run: CommandRunner = runCommand,
  env: Environment = process.env,
): Promise<Problem[]> {
  const results = await Promise.all(needed.map((prerequisite) => examine(prerequisite, run, env)));
  return results.flatMap((result) => ('problem' in result ? [result.problem] : []));
}

/**
 * The Chromium (or Chrome) to launch: the one the check finds. Throws the check's one-line
 * message when there is none that works.
 */
export async function chromiumCommand(
  run: CommandRunner = runCommand,
  env: Environment = process.env,
): Promise<string> {
  const result = await examine('chromium', run, env);
  if ('problem' in result) throw new Error(describeProblems([result.problem], process.platform));
  return result.command;
}

function describe(problem: Problem): string {
  const spec = PREREQUISITES[problem.prerequisite];
  switch (problem.kind) {
    case 'missing':
      return `${spec.label} (none at ${spec.whereLooked})`;
    case 'too old':
      return `${spec.label} (\`${problem.command}\` is version ${problem.major})`;
    case 'unparsable':
      return `${spec.label} (cannot read the version of \`${problem.command}\`: "${problem.output}")`;
  }
}

/** The command that installs what is missing, for this platform (apt on Linux, Homebrew on macOS). */
export function installCommand(prerequisites: readonly Prerequisite[], platform: NodeJS.Platform): string {
  const specs = prerequisites.map((prerequisite) => PREREQUISITES[prerequisite]);
  if (platform === 'darwin') return specs.map((spec) => spec.brewInstall).join(' && ');
  return `sudo apt-get install -y ${specs.map((spec) => spec.aptPackage).join(' ')}`;
}

/** ONE line: what is missing and the command that installs it (macOS: Homebrew; else apt, with brew named). */
export function describeProblems(problems: readonly Problem[], platform: NodeJS.Platform): string {
  const prerequisites = problems.map((problem) => problem.prerequisite);
  const install = installCommand(prerequisites, platform);
  const other = platform === 'darwin' ? '' : ` (macOS: ${installCommand(prerequisites, 'darwin')})`;
  return `Missing prerequisites: ${problems.map(describe).join(', ')}. Install: ${install}${other}`;
}

/** package.json's `engines.node`: the Node.js versions the project supports. */
export function supportedNodeRange(): string {
  const manifest: unknown = JSON.parse(readFileSync(repoPath('package.json'), 'utf8'));
  const range =
    typeof manifest === 'object' && manifest !== null && 'engines' in manifest
      ? Reflect.get(Object(manifest.engines), 'node')
      : undefined;
  if (typeof range !== 'string') throw new Error('package.json has no engines.node');
  return range;
}

const numbers = (version: string): number[] => version.split('.').map((part) => Number(part));

/**
 * Whether `version` (`22.13.1`) is in `range`, an `engines` range of `^X.Y.Z` and `>=X[.Y.Z]`
 * terms joined by `||` — the forms package.json uses; another form throws, so a change to
 * `engines` that this does not read fails its unit test instead of passing every Node.
 */
export function nodeVersionSatisfies(version: string, range: string): boolean {
  const [major = 0, minor = 0, patch = 0] = numbers(version);
  const atLeast = (floor: number[]) => {
    const [floorMajor = 0, floorMinor = 0, floorPatch = 0] = floor;
    if (major !== floorMajor) return major > floorMajor;
    if (minor !== floorMinor) return minor > floorMinor;
    return patch >= floorPatch;
  };
  return range.split('||').some((term) => {
    const match = /^\s*(\^|>=)(\d+(?:\.\d+){0,2})\s*$/.exec(term);
    if (match === null) throw new Error(`cannot read the engines range term "${term.trim()}"`);
    const floor = numbers(match[2] ?? '');
    return match[1] === '>=' ? atLeast(floor) : major === floor[0] && atLeast(floor);
  });
}

/** ONE line when this Node.js is not one the project supports: the version found and how to get one; else undefined. */
export function nodeProblem(
  version: string = process.versions.node,
  range = supportedNodeRange(),
): string | undefined {
  if (nodeVersionSatisfies(version, range)) return undefined;
  return (
    `Unsupported Node.js ${version} (${process.execPath}); package.json engines wants ${range}. ` +
    'Install a supported one, e.g. `nvm install 24` or `fnm install 24`, or from https://nodejs.org'
  );
}

/** The real runner: `execFile`, both streams (java prints its version on stderr). */
export const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, [...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err !== null && 'code' in err && (err.code === 'ENOENT' || err.code === 'EACCES'))
        resolve(undefined);
      else resolve(`${stdout}${stderr}`);
    });
  });
