// The Jinja interpreter on its own (no Python): expected strings are what jinja2 3.1.6 renders
// for the same template and variables under transformers' environment (trim_blocks,
// lstrip_blocks, loopcontrols, its tojson), recorded once; scripts/peers/jinja_chat_parity.py
// compares the two on real chat templates at run time.
#include "runtime/data/jinja/template.h"

#include <catch2/catch.hpp>

using namespace sftx::rt::jinja;

namespace {

std::map<std::string, Value> vars_with_messages() {
  return {{"messages", Value::from_json(nlohmann::ordered_json::parse(
                           R"([{"role": "system", "content": "S"}, {"role": "user", "content": "  hi  "},
                               {"role": "assistant", "content": "yo\nthere"}])"))}};
}

std::string render(const std::string& source, const std::map<std::string, Value>& vars = vars_with_messages()) {
  return Template(source, "t.jinja").render(vars).bytes;
}

std::string error_of(const std::string& source) {
  try {
    render(source);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("templates render as jinja2 renders them", "[jinja]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{% set count = 0 %}{% for i in range(3) %}{% set count = count + 1 %}{{ count }}{% endfor %}{{ count }}",
       "1110"},
      {"{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}",
       "3"},
      {"{% for m in messages %}\n  {%- if m.role == 'user' %}\n    U: {{ m.content }}\n  {% elif m.role == 'assistant' -%}\n    A: {{ m.content }}\n  {%+ else %}\n    S\n  {% endif %}\n{% endfor %}\nend\n",
       "    S\n    U:   hi  \nA: yo\nthere\n  end"},
      {"{% macro f(a, b='x') %}[{{ a }}|{{ b }}]{% endmacro %}{{ f(1) }}{{ f(2, b=3) }}",
       "[1|x][2|3]"},
      {"{{ messages[1:] | length }} {{ messages[-1].content[:2] }} {{ 'abcdef'[::-2] }} {{ messages[9] is defined }}",
       "2 yo fdb False"},
      {"{{ {'a': [1, 2.5, none, true], 'b': {'c': 'é\"'}} | tojson }}|{{ {'a': [1, {}]} | tojson(indent=2) }}",
       "{\"a\": [1, 2.5, null, true], \"b\": {\"c\": \"é\\\"\"}}|{\n  \"a\": [\n    1,\n    {}\n  ]\n}"},
      {"{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 1e20 }} {{ 0.1 + 0.2 }} {{ none }} {{ [1, 'a', none] }} {{ ('a',) }}",
       "3 -4 2 3.5 1e+20 0.30000000000000004 None [1, 'a', None] ('a',)"},
      {"{% for m in messages if m.role != 'system' %}{{ loop.index0 }}/{{ loop.length }}{{ '' if loop.last else ',' }}{% endfor %}",
       "0/2,1/2"},
      {"{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}",
       "0134"},
      {"{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | map('trim') | join('|') }} {{ '  a  b '.split() }} {{ 'x'.startswith(('y', 'x')) }}",
       "hi ['a', 'b'] True"},
      {"{{ 'a' if false }}|{{ not none is none }}|{{ 1 < 2 < 3 }}|{{ 'ab' in 'cabd' }}|{{ 3 not in [1, 2] }}|{{ {'k': 1}.items() | list }}",
       "|False|True|True|True|[('k', 1)]"},
      {"{{ messages[0].get('nope', 'dflt') }} {{ messages[0].nope | default('d') }} {{ '' | default('e', true) }} {{ 'line1\nline2' | indent(2) }}",
       "dflt d e line1\n  line2"},
      {"{% macro box(title) %}[{{ title }}:{{ caller() }}]{% endmacro %}{% call box('t') %}in {{ messages|length }}"
       "{% endcall %}|{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}"
       "{% call(v) each([1, 2]) %}<{{ v }}>{% endcall %}",
       "[t:in 3]|<1><2>"},
  };
  for (const auto& [source, want] : cases) {
    INFO(source);
    CHECK(render(source) == want);
  }
}

TEST_CASE("trim_blocks, lstrip_blocks and whitespace control act on the template text", "[jinja]") {
  // trim_blocks eats the newline after %}, lstrip_blocks the indentation before {%.
  CHECK(render("{% if true %}\n  a\n  {% endif %}\nb") == "  a\nb");
  // {{ }} is neither: its newline and indentation stay.
  CHECK(render("  {{ 'x' }}\n") == "  x");  // (one trailing newline of a template is dropped)
  CHECK(render("a  {%- if true -%}  \n b {%- endif %}") == "ab");
  CHECK(render("a\n  {%+ if true %}b{% endif %}") == "a\n  b");
  CHECK(render("a {# note #}\nb\n  {#- gone -#}  c") == "a bc");
}

TEST_CASE("undefined values print as nothing and fail when used", "[jinja]") {
  CHECK(render("[{{ nothing }}]{{ nothing is defined }}{{ nothing | length }}") == "[]False0");
  CHECK(render("{% for x in nothing %}x{% else %}empty{% endfor %}") == "empty");
  CHECK(error_of("{{ nothing.attr }}").find("t.jinja:1:11: 'nothing' is undefined") == 0);
  CHECK(error_of("{{ messages[7]['role'] }}").find("list object has no element 7") != std::string::npos);
}

TEST_CASE("errors name the template, line and column, with a caret", "[jinja]") {
  CHECK(error_of("line one\n{{ x | wordwrap }}") ==
        "t.jinja:2:6: unsupported filter 'wordwrap'\n  {{ x | wordwrap }}\n       ^");
  CHECK(error_of("{% include 'other.jinja' %}").find("t.jinja:1:4: unsupported tag {% include %}") == 0);
  CHECK(error_of("{% raw %}x{% endraw %}").find("{% raw %} blocks are not supported") != std::string::npos);
  CHECK(error_of("{% if true %}never closed").find("expected {% elif %}") != std::string::npos);
  CHECK(error_of("{{ '%d' % 3 }}").find("printf-style string formatting (%) is not supported") != std::string::npos);
  CHECK(error_of("{{ 'naïve' | upper }}").find("upper() of non-ASCII text is not supported") != std::string::npos);
  CHECK(error_of("\n\n  {{ raise_exception('roles must alternate') }}") ==
        "t.jinja:3:21: the template raised an exception: roles must alternate\n"
        "    {{ raise_exception('roles must alternate') }}\n"
        "                      ^");
}

TEST_CASE("strings remember which bytes came from which input", "[jinja]") {
  // Content tagged 7 goes through trim and concatenation; the rendered text says where it is.
  Value content = Value::string(Text{"  hello  ", {{0, 9, 7}}});
  const Text out = Template("<a>{{ c | trim }}</a>{{ c[2:4] ~ '!' }}", "t").render({{"c", content}});
  CHECK(out.bytes == "<a>hello</a>he!");
  REQUIRE(out.origins.size() == 2);
  CHECK(out.origins[0] == Origin{3, 8, 7});
  CHECK(out.origins[1] == Origin{12, 14, 7});
  // An all-blank content trimmed to nothing keeps its place as an empty origin.
  const Text blank = Template("[{{ c | trim }}]", "t").render({{"c", Value::string(Text{"   ", {{0, 3, 1}}})}});
  CHECK(blank.bytes == "[]");
  REQUIRE(blank.origins.size() == 1);
  CHECK(blank.origins[0] == Origin{1, 1, 1});
  // Operations that rewrite the text drop the record.
  CHECK(Template("{{ c | upper }}", "t").render({{"c", content}}).origins.empty());
}

TEST_CASE("Python value semantics: repr, floats, equality, code points", "[jinja]") {
  CHECK(python_float_repr(1.0) == "1.0");
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(1e15) == "1000000000000000.0");
  CHECK(python_float_repr(0.0001) == "0.0001");
  CHECK(python_float_repr(0.00001) == "1e-05");
  CHECK(python_float_repr(-2.5) == "-2.5");
  CHECK(render("{{ ['it\\'s', 'say \"hi\"', 'tab\\t'] }}") == "[\"it's\", 'say \"hi\"', 'tab\\t']");
  CHECK(render("{{ 1 == 1.0 }}{{ true == 1 }}{{ [1] == (1,) }}{{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }}") ==
        "TrueTrueFalseTrue");
  CHECK(render("{{ '東京😀' | length }}{{ '東京😀'[1] }}{{ '東京😀'[-1:] }}") == "3京😀");
  CHECK(render("{{ '\\u00a0x\\u3000'.strip() }}|{{ 'a\\u2028b'.split() }}") == "x|['a', 'b']");
}

TEST_CASE("deeply nested templates are refused, not a stack overflow", "[jinja]") {
  CHECK(error_of("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}").find("nested too deeply") !=
        std::string::npos);
  CHECK(error_of(std::string(400, ' ') + "{{ " + std::string(3000, '-') + "1 }}").find("nested too deeply") !=
        std::string::npos);
  std::string ifs;
  for (int i = 0; i < 300; ++i) ifs += "{% if true %}";
  CHECK(error_of(ifs).find("nested too deeply") != std::string::npos);
}
