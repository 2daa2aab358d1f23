/**
 * `tsx local/check-prerequisites.ts start|test`: exits 1 with ONE line naming what is missing
 * and the command that installs it (npm start and npm test run it first); a Node.js outside
 * package.json's `engines` is its own line.
 * `--apt-packages` prints the Debian packages of what is missing instead (for .ci/run) and exits 0.
 */
import { parseArgs } from 'node:util';
import {
  checkPrerequisites,
  describeProblems,
  NEEDED_BY,
  nodeProblem,
  PREREQUISITES,
} from './prerequisites.js';

const { values, positionals } = parseArgs({
  options: { 'apt-packages': { type: 'boolean' } },
  allowPositionals: true,
});
const purpose = positionals[0];
if (purpose !== 'start' && purpose !== 'test') {
  console.error('usage: tsx local/check-prerequisites.ts start|test [--apt-packages]');
  process.exit(2);
}
const problems = await checkPrerequisites(NEEDED_BY[purpose]);
if (values['apt-packages'] === true) {
  console.log(problems.map((problem) => PREREQUISITES[problem.prerequisite].aptPackage).join(' '));
} else {
  const node = nodeProblem();
  if (node !== undefined) console.error(node);
  if (problems.length > 0) console.error(describeProblems(problems, process.platform));
  if (node !== undefined || problems.length > 0) process.exitCode = 1;
}
