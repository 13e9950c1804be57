// The three chats share one signed-in client (and so one channel per topic, reference-counted).
import '../src/index.js';
import { signInDemoUser } from './demo-session.js';

await signInDemoUser('maria');
