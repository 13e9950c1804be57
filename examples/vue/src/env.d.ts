/// <reference types="vite/client" />
// Types `<pasabay-chat>`, `<typing-indicator>` and `<meeting-participants>` in templates: their
// attributes, properties and events (generated from the package's custom-elements.json).
/// <reference types="pasabay-chat/vue" />
