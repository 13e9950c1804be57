/**
 * Where the demo pages find the local stack. `npm start`'s demo server sets VITE_SUPABASE_URL to
 * the stack it started (127.0.0.1:54321 unless PASABAY_PORT says otherwise); the key is the
 * Supabase CLI's well-known local anon key. VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY in a
 * `.env` point a bare `vite` run elsewhere (a hosted project, say).
 */
export const supabaseUrl: string = import.meta.env.VITE_SUPABASE_URL ?? 'http://127.0.0.1:54321';
export const supabaseKey: string =
  import.meta.env.VITE_SUPABASE_ANON_KEY ??
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

/** The seed's demo accounts (supabase/seed.sql); all share the password below. */
export const demoPassword = 'pasabay-demo';
export const demoUsers = {
  maria: { email: 'maria@example.com', id: '11111111-1111-4111-8111-111111111111', name: 'Maria Santos' },
  carlos: { email: 'carlos@example.com', id: '22222222-2222-4222-8222-222222222222', name: 'Carlos Reyes' },
  ana: { email: 'ana@example.com', id: '33333333-3333-4333-8333-333333333333', name: 'Ana Cruz' },
} as const;
export type DemoUser = keyof typeof demoUsers;

export const demoConversations = {
  direct: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  group: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  meetingChat: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
} as const;
export const demoMeetingId = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
