import { defineConfig } from '@playwright/test';

// Debian's Chromium (Playwright's own browser download is not available on our machines).
export const chromiumExecutable = process.env.PORCHLIGHT_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/playwright',
  timeout: 60_000,
  workers: 2,
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.PORCHLIGHT_PW_JSON
    ? [['list'], ['json', { outputFile: process.env.PORCHLIGHT_PW_JSON }]]
    : [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromiumExecutable,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
