import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { newCallerNumber } from '../../tools/simulator/cast';
import { ALICE } from '../../tools/simulator/cast';
import { SimulatedPhoneControl } from '../../tools/simulator/control/SimulatedPhoneControl';
import { LineOperationRefused } from '../../tools/simulator/control/phoneLines';
import type { LoginForm } from '../../tools/simulator/control/phoneAuth';
import { UsageError } from './args';
import type { CliIo } from './main';

export interface SimulatePhoneOptions {
  port: number;
  password: string | null;
  form: LoginForm;
}

const COMMANDS = 'ring [number] [name...] | answer | hangup | cancel (the caller gives up while it rings) | status | quit';

/**
 * `ringside simulate phone`: one simulated Grandstream phone that stays up, so a newcomer can
 * point `ringside provision` at it and then ring it by typing. Its Action URL slots start empty;
 * it sends each event to whatever its slot holds, as a real phone does.
 */
export async function simulatePhone(options: SimulatePhoneOptions, io: CliIo): Promise<number> {
  if (!io.stdin) throw new UsageError('simulate phone: needs a terminal to type commands into');
  const password = options.password ?? randomBytes(9).toString('base64url');
  const phone = await SimulatedPhoneControl.start({
    identity: ALICE.phone, form: options.form, password, port: options.port, remoteAnswer: { afterMs: 1500 },
  });
  const out = (line: string) => io.stdout(`${line}\n`);
  const address = `${phone.host}:${phone.port}`;
  out(`simulated ${ALICE.phone.model} "${ALICE.phone.name}" (MAC ${ALICE.phone.mac}, extension ${ALICE.phone.extension}): web API on ${address}, ${options.form} login, user "user", password ${password}`);
  out(`its Action URL slots are empty; write Ringside's into them with:  npx ringside provision --phone ${address} --password ${password}`);
  out(`then type: ${COMMANDS}`);
  const lines = createInterface({ input: io.stdin, terminal: false });
  try {
    for await (const line of lines) {
      if (!(await runPhoneCommand(phone, line.trim(), out))) break;
    }
  } finally {
    lines.close();
    await phone.close();
  }
  return 0;
}

/** One typed command; false to stop. */
async function runPhoneCommand(phone: SimulatedPhoneControl, line: string, out: (line: string) => void): Promise<boolean> {
  const [command = '', ...rest] = line.split(/\s+/);
  const reported = phone.outbox.sent.length;
  const failed = phone.outbox.failures.length;
  try {
    switch (command) {
      case '':
        return true;
      case 'quit':
      case 'exit':
        return false;
      case 'ring':
        phone.ring(rest[0] ?? newCallerNumber(), rest.slice(1).join(' '));
        break;
      case 'answer':
        phone.answer();
        break;
      case 'hangup':
        phone.hangUp();
        break;
      case 'cancel':
        phone.callerGivesUp();
        break;
      case 'status':
        for (const l of phone.lines.status()) out(`  line ${l.line}: ${l.state}${l.remotenumber ? ` ${l.remotenumber}` : ''}`);
        return true;
      default:
        out(`unknown command '${command}': ${COMMANDS}`);
        return true;
    }
  } catch (error) {
    if (!(error instanceof LineOperationRefused)) throw error;
    out(`  the phone cannot: ${error.message}`);
    return true;
  }
  await phone.outbox.flush();
  for (const effect of phone.outbox.sent.slice(reported)) out(`  ${effect.label.padEnd(17)} ${effect.call.remote} on ${effect.call.local}${phone.sendsEvent(effect.label) ? '' : ' (slot empty: not sent; provision the phone)'}`);
  for (const failure of phone.outbox.failures.slice(failed)) out(`  not delivered: ${failure}`);
  return true;
}
