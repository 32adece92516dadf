import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuTicks, treeCpuTicks } from '../../../../tools/bench/children';
import { killHard, nextLine } from '../../../support/childProcess';

// A grandchild that spends at least 0.3 s of CPU, then says so and waits (for its stdin to close).
const GRANDCHILD = "while(process.cpuUsage().user<300000){}console.log('spent');process.stdin.resume();";
// A child that starts it, passes its line on, and does nothing itself.
const CHILD = `const c=require('node:child_process').spawn(process.execPath,['-e',${JSON.stringify(GRANDCHILD)}],{stdio:['pipe','inherit','inherit']});process.stdin.resume();`;

describe('treeCpuTicks (the bench: a server and its worker processes)', () => {
  let child: ReturnType<typeof spawn> | null = null;
  afterEach(async () => {
    if (child) await killHard(child);
  });

  it('counts the CPU of a process\'s descendants, which cpuTicks of the process alone leaves out', async () => {
    child = spawn(process.execPath, ['-e', CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    await nextLine(child, 'spent');
    const own = cpuTicks(child.pid!);
    expect(treeCpuTicks(child.pid!) - own).toBeGreaterThanOrEqual(30);
  });
});
