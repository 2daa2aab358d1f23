/** The system prerequisites check, with a fake PATH: missing, too old, unparsable, present. */
import { describe, expect, it } from 'vitest';
import {
  type CommandRunner,
  checkPrerequisites,
  describeProblems,
  installCommand,
  runCommand,
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

describe('checkPrerequisites', () => {
  it('finds nothing wrong when Java 17+ and Chromium are on PATH', async () => {
    expect(
      await checkPrerequisites(['java', 'chromium'], fakePath({ java: JAVA_17, chromium: CHROMIUM })),
    ).toEqual([]);
    expect(await checkPrerequisites(['java'], fakePath({ java: JAVA_21 }))).toEqual([]);
  });

  it('reports a program missing from PATH', async () => {
    expect(await checkPrerequisites(['java', 'chromium'], fakePath({ java: JAVA_17 }))).toEqual([
      { prerequisite: 'chromium', kind: 'missing' },
    ]);
  });

  it('reports a Java older than 17, in both version styles', async () => {
    expect(await checkPrerequisites(['java'], fakePath({ java: JAVA_11 }))).toEqual([
      { prerequisite: 'java', kind: 'too old', major: 11 },
    ]);
    expect(await checkPrerequisites(['java'], fakePath({ java: JAVA_8 }))).toEqual([
      { prerequisite: 'java', kind: 'too old', major: 8 },
    ]);
  });

  it('reports a version it cannot read', async () => {
    expect(
      await checkPrerequisites(
        ['java', 'chromium'],
        fakePath({ java: 'Error: no JVM\n', chromium: 'snap: not found' }),
      ),
    ).toEqual([
      { prerequisite: 'java', kind: 'unparsable', output: 'Error: no JVM' },
      { prerequisite: 'chromium', kind: 'unparsable', output: 'snap: not found' },
    ]);
  });

  it('runs real programs: one that exists prints, one that does not is missing', async () => {
    expect(await runCommand(process.execPath, ['--version'])).toBe(`${process.version}\n`);
    expect(await runCommand('bulkhead-no-such-program', ['--version'])).toBeUndefined();
  });
});

describe('describeProblems', () => {
  it('says in one line what is missing and the apt command, naming brew for macOS', async () => {
    const problems = await checkPrerequisites(['java', 'chromium'], fakePath({ java: JAVA_11 }));

    const line = describeProblems(problems, 'linux');

    expect(line).not.toContain('\n');
    expect(line).toBe(
      'Missing prerequisites: Java 17+ (`java` is version 11), Chromium (no `chromium` on PATH). ' +
        'Install: sudo apt-get install -y openjdk-17-jre-headless chromium ' +
        '(macOS: brew install openjdk@17 && brew install --cask chromium)',
    );
  });

  it('gives the Homebrew command on macOS', () => {
    expect(installCommand(['java'], 'darwin')).toBe('brew install openjdk@17');
    expect(describeProblems([{ prerequisite: 'java', kind: 'missing' }], 'darwin')).toBe(
      'Missing prerequisites: Java 17+ (no `java` on PATH). Install: brew install openjdk@17',
    );
  });
});
