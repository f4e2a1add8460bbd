#include "runtime/data/builtin_chat_jinja.h"

#include <stdexcept>

namespace sftx::rt {
namespace {

// What every built-in does first (chat_template.cc, split_system and is_plain_text): leading
// system messages joined with "\n", a system message later on or an unknown role refused, and a
// conversation of assistant messages only ("text" records) rendered as bos, the texts joined by a
// blank line, eos.
const char* const kPrologue =
    "{%- set ns = namespace(plain=true, system='', has_system=false, started=false) -%}"
    "{%- for m in messages -%}"
    "{%- if m['role'] != 'assistant' -%}{%- set ns.plain = false -%}{%- endif -%}"
    "{%- if m['role'] == 'system' -%}"
    "{%- if ns.started -%}{{ raise_exception('a system message after the conversation started') }}{%- endif -%}"
    "{%- if ns.has_system -%}{%- set ns.system = ns.system + '\\n' -%}{%- endif -%}"
    "{%- set ns.system = ns.system + m['content'] -%}{%- set ns.has_system = true -%}"
    "{%- elif m['role'] == 'user' or m['role'] == 'assistant' -%}{%- set ns.started = true -%}"
    "{%- else -%}{{ raise_exception('unknown role ' + m['role']) }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if ns.plain and messages | length > 0 -%}"
    "{{- bos_token -}}"
    "{%- for m in messages -%}{%- if not loop.first -%}{{- '\\n\\n' -}}{%- endif -%}{{- m['content'] -}}{%- endfor -%}"
    "{{- eos_token -}}"
    "{%- else -%}";
const char* const kEpilogue = "{%- endif -%}";

// FastChat's vicuna_v1.1 (SeparatorStyle.ADD_COLON_TWO, sep " ", sep2 "</s>").
const char* const kVicuna =
    "{{- bos_token -}}"
    "{%- if ns.has_system -%}{{- ns.system + ' ' -}}{%- else -%}"
    "{{- \"A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
    "detailed, and polite answers to the user's questions. \" -}}{%- endif -%}"
    "{%- for m in messages -%}"
    "{%- if m['role'] == 'user' -%}{{- 'USER: ' + m['content'] + ' ' -}}"
    "{%- elif m['role'] == 'assistant' -%}{{- 'ASSISTANT: ' + m['content'] + eos_token -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- 'ASSISTANT:' -}}{%- endif -%}";

// Meta's Llama-2-chat: the system prompt folded into the first user turn; two user turns in a
// row close the first with eos. The generation prompt is the rendering itself (it ends at [/INST]).
const char* const kLlama2 =
    "{%- set turn = namespace(system_pending=ns.has_system, open_user=false) -%}"
    "{%- for m in messages -%}"
    "{%- if m['role'] == 'user' -%}"
    "{%- if turn.open_user -%}{{- eos_token -}}{%- endif -%}"
    "{%- if turn.system_pending -%}"
    "{{- bos_token + '[INST] ' + ('<<SYS>>\\n' + ns.system + '\\n<</SYS>>\\n\\n' + m['content']) | trim + ' [/INST]' -}}"
    "{%- set turn.system_pending = false -%}"
    "{%- else -%}{{- bos_token + '[INST] ' + m['content'] | trim + ' [/INST]' -}}{%- endif -%}"
    "{%- set turn.open_user = true -%}"
    "{%- elif m['role'] == 'assistant' -%}"
    "{%- if not turn.open_user -%}{{- bos_token -}}{%- endif -%}"
    "{{- ' ' + m['content'] | trim + ' ' + eos_token -}}"
    "{%- set turn.open_user = false -%}"
    "{%- endif -%}"
    "{%- endfor -%}";

// ChatML (as OpenAI and Qwen write it, without Qwen's default system prompt).
const char* const kChatml =
    "{%- if ns.has_system -%}{{- '<|im_start|>system\\n' + ns.system + '<|im_end|>\\n' -}}{%- endif -%}"
    "{%- for m in messages -%}"
    "{%- if m['role'] != 'system' -%}{{- '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' -}}{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}";

// Stanford Alpaca's prompt, one instruction/response pair per turn. The generation prompt is the
// rendering itself (it ends at "### Response:\n").
const char* const kAlpaca =
    "{{- bos_token -}}"
    "{%- if ns.has_system -%}{{- ns.system -}}{%- else -%}"
    "{{- 'Below is an instruction that describes a task. Write a response that appropriately completes the request.' -}}"
    "{%- endif -%}"
    "{%- for m in messages -%}"
    "{%- if m['role'] == 'user' -%}{{- '\\n\\n### Instruction:\\n' + m['content'] + '\\n\\n### Response:\\n' -}}"
    "{%- elif m['role'] == 'assistant' -%}{{- m['content'] + eos_token -}}"
    "{%- endif -%}"
    "{%- endfor -%}";

}  // namespace

std::string builtin_chat_template_jinja(const std::string& name) {
  const char* body = name == "vicuna" ? kVicuna : name == "llama2" ? kLlama2 : name == "chatml" ? kChatml
                     : name == "alpaca" ? kAlpaca : nullptr;
  if (!body) throw std::invalid_argument("no Jinja for chat template \"" + name + "\" (built in: alpaca, chatml, llama2, vicuna)");
  return std::string(kPrologue) + body + kEpilogue;
}

bool builtin_chat_template_starts_with_bos(const std::string& name) { return name != "chatml"; }

}  // namespace sftx::rt
