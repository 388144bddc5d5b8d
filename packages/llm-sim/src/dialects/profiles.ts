import type { Profile } from "../context.js";
import type { Dialect } from "../types.js";
import { anthropicProfile } from "./anthropic-profile.js";
import { geminiProfile } from "./gemini-profile.js";
import {
  azureProfile,
  deepseekProfile,
  ollamaProfile,
  openaiProfile,
  openrouterProfile,
  xaiProfile,
} from "./openai-profiles.js";

const PROFILES: { [D in Dialect]: Profile } = {
  openai: openaiProfile,
  xai: xaiProfile,
  deepseek: deepseekProfile,
  ollama: ollamaProfile,
  azure: azureProfile,
  openrouter: openrouterProfile,
  anthropic: anthropicProfile,
  gemini: geminiProfile,
};

export function profileFor(dialect: Dialect): Profile {
  return PROFILES[dialect];
}
