import { createClient } from '@supabase/supabase-js';

/** The app's own client; the elements share it (and its session). */
export const supabase = createClient('http://127.0.0.1:54321', 'YOUR-ANON-KEY');
