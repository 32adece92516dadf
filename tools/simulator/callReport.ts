import type { LoggedCall } from './AdminApi';

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** What Ringside recorded, in the words a newcomer reads in the agent UI's history. */
export function describeCalls(remote: string, calls: readonly LoggedCall[]): string[] {
  if (calls.length === 0) return [`Ringside has no call from ${remote}`];
  const lines = [`Ringside's call log for ${remote} (GET /api/calls?remote=…):`];
  for (const call of calls) {
    const where = call.line === 'helpline' ? `helpline ${call.helpline}` : 'direct';
    const transferred = call.transferredFrom ? `, transferred from ${call.transferredFrom}` : '';
    lines.push(
      `  call ${call.id}: ${call.status}, ${call.direction === 'in' ? 'incoming' : call.direction}, ${where}, agent ${call.agent ?? '–'}${transferred}, ring ${seconds(call.ringMs)}, talk ${seconds(call.talkMs)}`,
    );
    call.legs.forEach((leg, i) => {
      lines.push(`    leg ${i + 1}: phone ${leg.mac}, agent ${leg.agent ?? '–'}, ${leg.state}${leg.transfer ? ' (after transfer)' : ''}`);
    });
  }
  return lines;
}

/** A call is settled once Ringside has ended it (a missed call only after its grace delay). */
export function allEnded(calls: readonly LoggedCall[]): boolean {
  return calls.length > 0 && calls.every((c) => c.endedAt !== null && c.status !== 'ringing' && c.status !== 'in_progress');
}
