import type { ReactionsStrings } from '../../reactions.js';

export const reactions: Partial<ReactionsStrings> = {
  reactionsLabel: 'Magpadala ng reaction',
  reactionsSend: (reaction) => `Mag-react ng ${reaction}`,
  reactionsAnnounce: (name, reaction) => `Nag-react si ${name} ng ${reaction}`,
  reactionsAnnounceOwn: (reaction) => `Nag-react ka ng ${reaction}`,
  reactionsYou: 'Ikaw',
  reactionsSomeone: 'Isang tao',
  reactionsRefused: (reason) => `Hindi naipadala ang reaction: ${reason}`,
  reactionsNotAllowed: 'Ang mga kalahok lang sa pulong ang makakakita at makakapagpadala ng reactions.',
  reactionsOverBudget: 'Masyadong maraming live na koneksiyon: magsara ng ibang tab o chat para makita ang reactions.',
  reactionsConnecting: 'Kumokonekta…',
  reactionsAuthRequired: 'Mag-sign in para makapagpadala ng reactions.',
  reactionsError: 'Hindi available ang reactions.',
  reactionsDismiss: 'Isara',
};
