// Measures how fast the bot acknowledges and answers slash commands through its real HTTP
// receiver (signed requests, fake Slack, ONSIM sandbox on loopback). Prints figures; asserts nothing.
import { startTestBot } from '../test/support/bot.js';
import { waitFor } from '../test/support/wait.js';

const N = Number(process.env.BENCH_COMMANDS ?? 200);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function benchCommands(): Promise<void> {
  const bot = await startTestBot();
  try {
    const acks: number[] = [];
    const answers: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const start = performance.now();
      const res = await bot.driver.command('account 07700 900123');
      acks.push(res.ms);
      await waitFor(() => bot.slack.responsesTo(res.responseUrl).length > 0, { what: 'an answer' });
      answers.push(performance.now() - start);
    }
    const total = performance.now() - t0;
    acks.sort((a, b) => a - b);
    answers.sort((a, b) => a - b);
    const f = (n: number) => `${n.toFixed(1)} ms`;
    process.stdout.write(
      [
        `commands: ${N} × "/onsim account" through the HTTP receiver (sequential)`,
        `  ack      p50 ${f(pct(acks, 50))}  p95 ${f(pct(acks, 95))}  max ${f(acks.at(-1) ?? 0)}`,
        `  answer   p50 ${f(pct(answers, 50))}  p95 ${f(pct(answers, 95))}  max ${f(answers.at(-1) ?? 0)}`,
        `  throughput ${(N / (total / 1000)).toFixed(1)} commands/s · RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
        '',
      ].join('\n'),
    );
  } finally {
    await bot.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCommands();
