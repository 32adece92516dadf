// The zod schema of every IPC request's input (channels in ipc.ts): the main process parses each
// request with these before a handler runs (src/desktop/main/ipc.ts). Apart from ipc.ts so the
// preload, which only names the channels, does not bundle zod.
import { z } from 'zod';
import { IPC, type InvokeChannel } from './ipc';

const callId = z.string().min(1).max(200);

/** The input of every invoke channel: the arguments after the event, as a tuple (no input is an empty tuple). */
export const IPC_INPUTS = {
  /** No input: the ringing calls the popup shows now. */
  [IPC.popupState]: z.tuple([]),
  /** `{ callId }`: the agent closed a popup entry. */
  [IPC.popupDismiss]: z.tuple([z.strictObject({ callId })]),
  [IPC.showMain]: z.tuple([]),
  [IPC.renewSession]: z.tuple([]),
  /** `{ callIds }`: the whole list of missed calls the agent has seen. */
  [IPC.missedSeen]: z.tuple([z.strictObject({ callIds: z.array(callId).max(1000) })]),
  [IPC.desktopSettings]: z.tuple([]),
  /** `{ popupWindow?, notifications? }`: the desktop app's call alerts to change (at least one). */
  [IPC.setDesktopSettings]: z.tuple([
    z.strictObject({ popupWindow: z.boolean().optional(), notifications: z.boolean().optional() })
      .refine((change) => change.popupWindow !== undefined || change.notifications !== undefined, 'name at least one setting to change'),
  ]),
} as const satisfies Record<InvokeChannel, z.ZodTuple>;

export type IpcArgs<C extends InvokeChannel> = z.infer<(typeof IPC_INPUTS)[C]>;
