import { vi } from 'vitest';
import { main } from '../../src/main.js';

/**
 * Runs the `anyvip` CLI in-process (only commands that return without serving) and captures
 * what it writes. The spies stay until the caller's `vi.restoreAllMocks()`.
 */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = await main(args);
  return { code, stdout, stderr };
}
