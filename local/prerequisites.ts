/**
 * The system programs the local cloud and the tests need besides Node.js, checked in one place:
 * Java 17+ (AWS's DynamoDB Local is a Java program) and, for the tests, Chromium (the HTML cost
 * report is rendered in it). `npm start`, `npm test` and `.ci/run` ask here first
 * (local/check-prerequisites.ts), DynamoDB Local's own start-up failure names the same fix, and
 * the cost-report test finds Chromium through it.
 */
import { execFile } from 'node:child_process';

export type Prerequisite = 'java' | 'chromium';

interface PrerequisiteSpec {
  /** The program on PATH and the argument that prints its version. */
  readonly command: string;
  readonly versionArgument: string;
  /** What a person calls it. */
  readonly label: string;
  /** The oldest major version that works. */
  readonly minimumMajor: number;
  /** The major version in the program's `--version` output, or undefined when it cannot be read. */
  majorOf(output: string): number | undefined;
  readonly aptPackage: string;
  readonly brewInstall: string;
}

export const PREREQUISITES: Readonly<Record<Prerequisite, PrerequisiteSpec>> = {
  java: {
    command: 'java',
    versionArgument: '-version',
    label: 'Java 17+',
    minimumMajor: 17,
    // `openjdk version "17.0.15" 2025-04-15`; before Java 9, `java version "1.8.0_381"`.
    majorOf: (output) => {
      const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
      if (match === null) return undefined;
      return match[1] === '1' && match[2] !== undefined ? Number(match[2]) : Number(match[1]);
    },
    aptPackage: 'openjdk-17-jre-headless',
    brewInstall: 'brew install openjdk@17',
  },
  chromium: {
    command: 'chromium',
    versionArgument: '--version',
    label: 'Chromium',
    minimumMajor: 1,
    // `Chromium 156.0.7690.0 built on Debian …`
    majorOf: (output) => {
      const match = /Chromium (\d+)\./.exec(output);
      return match === null ? undefined : Number(match[1]);
    },
    aptPackage: 'chromium',
    brewInstall: 'brew install --cask chromium',
  },
};

/** What `npm start` and `npm test` need. */
export const NEEDED_BY = {
  start: ['java'],
  test: ['java', 'chromium'],
} as const satisfies Record<string, readonly Prerequisite[]>;

/** Runs a program and answers what it printed (stdout and stderr), or `undefined` when it is not on PATH. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string | undefined>;

export type Problem =
  | { readonly prerequisite: Prerequisite; readonly kind: 'missing' }
  | { readonly prerequisite: Prerequisite; readonly kind: 'too old'; readonly major: number }
  | { readonly prerequisite: Prerequisite; readonly kind: 'unparsable'; readonly output: string };

/** The problems with `needed` on this machine; empty when everything is there. */
export async function checkPrerequisites(
  needed: readonly Prerequisite[],
  run: CommandRunner = runCommand,
): Promise<Problem[]> {
  const problems = await Promise.all(
    needed.map(async (prerequisite): Promise<Problem | undefined> => {
      const spec = PREREQUISITES[prerequisite];
      const output = await run(spec.command, [spec.versionArgument]);
      if (output === undefined) return { prerequisite, kind: 'missing' };
      const major = spec.majorOf(output);
      if (major === undefined)
        return { prerequisite, kind: 'unparsable', output: output.trim().split('\n')[0] ?? '' };
      return major < spec.minimumMajor ? { prerequisite, kind: 'too old', major } : undefined;
    }),
  );
  return problems.filter((problem) => problem !== undefined);
}

function describe(problem: Problem): string {
  const spec = PREREQUISITES[problem.prerequisite];
  switch (problem.kind) {
    case 'missing':
      return `${spec.label} (no \`${spec.command}\` on PATH)`;
    case 'too old':
      return `${spec.label} (\`${spec.command}\` is version ${problem.major})`;
    case 'unparsable':
      return `${spec.label} (cannot read the version of \`${spec.command}\`: "${problem.output}")`;
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

/** The real runner: `execFile`, both streams (java prints its version on stderr). */
export const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, [...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err !== null && 'code' in err && err.code === 'ENOENT') resolve(undefined);
      else resolve(`${stdout}${stderr}`);
    });
  });
