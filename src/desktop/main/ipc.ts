import type { z } from 'zod';
import { IPC, type InvokeChannel } from '../../protocol/ipc';
import { IPC_INPUTS, type IpcArgs } from '../../protocol/ipcInputs';
import { isAppUrl } from './security';

/**
 * Every IPC request the shell answers goes through here: its sender is checked (a top-level frame
 * of one of the shell's own windows, showing the agent API's origin, and a window the channel is
 * meant for) and its input is parsed with the channel's schema before any handler runs. Anything
 * else is refused with an error the renderer sees, and reported.
 */

export interface IpcSenderFrame {
  url: string;
  /** null for a top-level frame. */
  parent: unknown;
}

export interface IpcInvokeEvent {
  senderFrame: IpcSenderFrame | null;
  sender: { id: number };
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export type WindowRole = 'main' | 'popup';

export interface SenderPolicy {
  /** The agent API's origin: the only one the shell's windows show. */
  appOrigin: string;
  /** Which of the shell's windows a web contents is, or null for any other. */
  roleOf(webContentsId: number): WindowRole | null;
}

/** Per channel: its input's schema (src/protocol/ipcInputs.ts), and the windows that may use it. */
export const IPC_SPEC = {
  [IPC.popupState]: { args: IPC_INPUTS[IPC.popupState], from: ['popup'] },
  [IPC.popupDismiss]: { args: IPC_INPUTS[IPC.popupDismiss], from: ['popup'] },
  [IPC.showMain]: { args: IPC_INPUTS[IPC.showMain], from: ['main', 'popup'] },
  [IPC.renewSession]: { args: IPC_INPUTS[IPC.renewSession], from: ['main', 'popup'] },
  [IPC.missedSeen]: { args: IPC_INPUTS[IPC.missedSeen], from: ['main'] },
  [IPC.desktopSettings]: { args: IPC_INPUTS[IPC.desktopSettings], from: ['main'] },
  [IPC.setDesktopSettings]: { args: IPC_INPUTS[IPC.setDesktopSettings], from: ['main'] },
} as const satisfies Record<InvokeChannel, { args: z.ZodTuple; from: readonly WindowRole[] }>;

export type IpcHandlers = { [C in InvokeChannel]: (...args: IpcArgs<C>) => unknown };

export class IpcRejected extends Error {
  constructor(readonly channel: string, readonly why: 'sender' | 'input', detail: string) {
    super(why === 'sender' ? `${channel}: refused: ${detail}` : `${channel}: invalid input: ${detail}`);
    this.name = 'IpcRejected';
  }
}

/** Why the sender may not use the channel, or null when it may. */
export function senderProblem(event: IpcInvokeEvent, policy: SenderPolicy, allowed: readonly WindowRole[]): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return 'not a top-level frame';
  if (!isAppUrl(frame.url, policy.appOrigin)) return 'the frame does not show the agent UI';
  const role = policy.roleOf(event.sender.id);
  if (role === null) return 'not one of the shell\'s windows';
  if (!allowed.includes(role)) return `not for the ${role} window`;
  return null;
}

/**
 * Registers every channel's handler behind the checks. Returns a function that removes them all
 * (the shell stops). `onRejected` hears about every refused request.
 */
export function registerIpc(ipcMain: IpcMainLike, policy: SenderPolicy, handlers: IpcHandlers, onRejected: (error: IpcRejected) => void = () => {}): () => void {
  const channels = Object.keys(IPC_SPEC) as InvokeChannel[];
  for (const channel of channels) {
    const spec = IPC_SPEC[channel];
    const handler = handlers[channel] as (...args: unknown[]) => unknown;
    ipcMain.handle(channel, (event, ...args) => {
      const problem = senderProblem(event, policy, spec.from);
      if (problem !== null) {
        const error = new IpcRejected(channel, 'sender', problem);
        onRejected(error);
        throw error;
      }
      const parsed = spec.args.safeParse(args);
      if (!parsed.success) {
        const error = new IpcRejected(channel, 'input', parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '));
        onRejected(error);
        throw error;
      }
      return handler(...(parsed.data as unknown[]));
    });
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
