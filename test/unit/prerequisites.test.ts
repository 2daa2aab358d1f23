/** The system prerequisites check, with a fake PATH: missing, too old, unparsable, present; and Node's engines range. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CommandRunner,
  checkPrerequisites,
  chromiumCommand,
  describeProblems,
  installCommand,
  javaCommand,
  nodeProblem,
  nodeVersionSatisfies,
  runCommand,
  supportedNodeRange,
} from '../../local/prerequisites.js';

/** A PATH holding only these programs, each printing this version text. */
const fakePath =
  (programs: Readonly<Record<string, string>>): CommandRunner =>
  async (command) =>
    programs[command];

const JAVA_17 = 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6)\n';
const JAVA_21 = 'openjdk version "21.0.4" 2024-07-16 LTS\n';
const JAVA_8 = 'java version "1.8.0_381"\nJava(TM) SE Runtime Environment (build 1.8.0_381-b09)\n';
const JAVA_11 = 'openjdk version "11.0.22" 2024-01-16\n';
const CHROMIUM = 'Chromium 156.0.7690.0 built on Debian GNU/Linux 12 (bookworm)\n';
const CHROME = 'Google Chrome 156.0.7690.0 \n';
/** What macOS's /usr/bin/java stub prints (and exits 1) until a JDK is installed. */
const MACOS_JAVA_STUB =
  'The operation couldn’t be completed. Unable to locate a Java Runtime.\nPlease visit http://www.java.com for information on installing Java.\n';
const NO_ENV = {};

describe('checkPrerequisites', () => {
  it('finds nothing wrong when Java 17+ and Chromium are on PATH', async () => {
    expect(
      await checkPrerequisites(['java', 'chromium'], fakePath({ java: JAVA_17, chromium: CHROMIUM }), NO_ENV),
    ).toEqual([]);
    expect(await checkPrerequisites(['java'], fakePath({ java: JAVA_21 }), NO_ENV)).toEqual([]);
  });

  it('reports a program missing from PATH', async () => {
    expect(await checkPrerequisites(['java', 'chromium'], fakePath({ java: JAVA_17 }), NO_ENV)).toEqual([
      { prerequisite: 'chromium', kind: 'missing' },
    ]);
  });

  it('reports a Java older than 17, in both version styles', async () => {
    expect(await checkPrerequisites(['java'], fakePath({ java: JAVA_11 }), NO_ENV)).toEqual([
      { prerequisite: 'java', kind: 'too old', command: 'java', major: 11 },
    ]);
    expect(await checkPrerequisites(['java'], fakePath({ java: JAVA_8 }), NO_ENV)).toEqual([
      { prerequisite: 'java', kind: 'too old', command: 'java', major: 8 },
    ]);
  });

  it('reports a version it cannot read', async () => {
    expect(
      await checkPrerequisites(
        ['java', 'chromium'],
        fakePath({ java: 'Error: no JVM\n', chromium: 'snap: not found' }),
        NO_ENV,
      ),
    ).toEqual([
      { prerequisite: 'java', kind: 'unparsable', command: 'java', output: 'Error: no JVM' },
      { prerequisite: 'chromium', kind: 'unparsable', command: 'chromium', output: 'snap: not found' },
    ]);
  });

  it('takes macOS’s java stub for no Java at all', async () => {
    expect(await checkPrerequisites(['java'], fakePath({ java: MACOS_JAVA_STUB }), NO_ENV)).toEqual([
      { prerequisite: 'java', kind: 'missing' },
    ]);
  });

  it('runs $JAVA_HOME/bin/java before java on PATH, as DynamoDB Local does', async () => {
    const javaHome = await mkdtemp(join(tmpdir(), 'bulkhead-java-home-'));
    try {
      const java = join(javaHome, 'bin', 'java');
      await mkdir(join(javaHome, 'bin'));
      await writeFile(java, '');
      const env = { JAVA_HOME: javaHome };

      expect(javaCommand(env)).toBe(java);
      expect(javaCommand({ JAVA_HOME: join(javaHome, 'absent') })).toBe('java');
      expect(
        await checkPrerequisites(['java'], fakePath({ [java]: JAVA_17, java: MACOS_JAVA_STUB }), env),
      ).toEqual([]);
      expect(await checkPrerequisites(['java'], fakePath({ [java]: JAVA_11, java: JAVA_21 }), env)).toEqual([
        { prerequisite: 'java', kind: 'too old', command: java, major: 11 },
      ]);
    } finally {
      await rm(javaHome, { recursive: true, force: true });
    }
  });

  it('finds Chromium under each of its names, or Chrome, or at BULKHEAD_CHROMIUM only', async () => {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'])
      expect(
        await chromiumCommand(fakePath({ [name]: name.startsWith('google') ? CHROME : CHROMIUM }), NO_ENV),
      ).toBe(name);
    const app = '/Applications/Chromium.app/Contents/MacOS/Chromium';
    const explicit = { BULKHEAD_CHROMIUM: app };

    expect(await chromiumCommand(fakePath({ [app]: CHROMIUM, chromium: CHROMIUM }), explicit)).toBe(app);
    expect(await checkPrerequisites(['chromium'], fakePath({ chromium: CHROMIUM }), explicit)).toEqual([
      { prerequisite: 'chromium', kind: 'missing' },
    ]);
    await expect(chromiumCommand(fakePath({}), NO_ENV)).rejects.toThrow(
      /^Missing prerequisites: Chromium \(none at `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable` on PATH, or BULKHEAD_CHROMIUM\)/,
    );
  });

  it('runs real programs: one that exists prints, one that does not is missing', async () => {
    expect(await runCommand(process.execPath, ['--version'])).toBe(`${process.version}\n`);
    expect(await runCommand('bulkhead-no-such-program', ['--version'])).toBeUndefined();
  });
});

describe('describeProblems', () => {
  it('says in one line what is missing and the apt command, naming brew for macOS', async () => {
    const problems = await checkPrerequisites(['java', 'chromium'], fakePath({ java: JAVA_11 }), NO_ENV);

    const line = describeProblems(problems, 'linux');

    expect(line).not.toContain('\n');
    expect(line).toBe(
      'Missing prerequisites: Java 17+ (`java` is version 11), Chromium (none at `chromium`, ' +
        '`chromium-browser`, `google-chrome`, `google-chrome-stable` on PATH, or BULKHEAD_CHROMIUM). ' +
        'Install: sudo apt-get install -y openjdk-17-jre-headless chromium ' +
        `(macOS: ${installCommand(['java', 'chromium'], 'darwin')})`,
    );
  });

  it('gives the Homebrew commands on macOS with the step that makes each reachable', () => {
    expect(installCommand(['java'], 'darwin')).toBe(
      'brew install openjdk@17 && sudo ln -sfn "$(brew --prefix)/opt/openjdk@17/libexec/openjdk.jdk" ' +
        '/Library/Java/JavaVirtualMachines/openjdk-17.jdk',
    );
    expect(installCommand(['chromium'], 'darwin')).toBe(
      'brew install --cask chromium && export BULKHEAD_CHROMIUM="/Applications/Chromium.app/Contents/MacOS/Chromium"',
    );
    expect(describeProblems([{ prerequisite: 'java', kind: 'missing' }], 'darwin')).toBe(
      'Missing prerequisites: Java 17+ (none at `$JAVA_HOME/bin/java` or `java` on PATH). Install: ' +
        installCommand(['java'], 'darwin'),
    );
  });
});

describe('the Node.js check', () => {
  it('reads the supported range from package.json engines', () => {
    expect(supportedNodeRange()).toBe('^22.13.0 || >=24');
  });

  it('accepts 22.13+ and 24+, refuses 20, 22.12 and 23', () => {
    const range = supportedNodeRange();
    for (const version of ['22.13.0', '22.14.1', '24.0.0', '25.2.1'])
      expect(nodeVersionSatisfies(version, range), version).toBe(true);
    for (const version of ['20.20.2', '22.12.9', '23.11.0', '18.0.0'])
      expect(nodeVersionSatisfies(version, range), version).toBe(false);
    expect(() => nodeVersionSatisfies('22.13.0', '~22.13')).toThrow(
      /cannot read the engines range term "~22.13"/,
    );
  });

  it('says in one line which Node it found and how to get a supported one', () => {
    expect(nodeProblem('24.1.0')).toBeUndefined();
    const line = nodeProblem('20.20.2') ?? '';

    expect(line).not.toContain('\n');
    expect(line).toMatch(
      /^Unsupported Node\.js 20\.20\.2 \(.+\); package\.json engines wants \^22\.13\.0 \|\| >=24\./,
    );
    expect(line).toContain('nvm install 24');
  });
});
