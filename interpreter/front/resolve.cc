#include "interpreter/front/resolve.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "grammar/parser.h"
#include "stdlib/builtins.h"

namespace sftx {

namespace fs = std::filesystem;

fs::path prelude_path() {
  if (const char* env = std::getenv("SFTX_PRELUDE"); env && *env) return env;
  return fs::path(SFTX_SOURCE_DIR) / "stdlib" / "prelude.sftx";
}

namespace {

std::string where(const Module& m, SourceRange r) {
  LineColumn lc = m.source.location(r.begin);
  return m.path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

fs::path canonical_of(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? p.lexically_normal() : c;
}

// Joins an import onto the importing file's path as given, so messages use the paths the
// user typed ("experiments/paper_data.sftx", not an absolute path).
std::string display_join(const std::string& importer, const std::string& imported) {
  fs::path p(imported);
  if (p.is_absolute()) return p.lexically_normal().string();
  fs::path dir = fs::path(importer).parent_path();
  return (dir / p).lexically_normal().string();
}

std::optional<Program> parse_prelude(const std::string& path, Diagnostics& diags, SourceFile& source);

class Loader {
 public:
  explicit Loader(Diagnostics& diags) : diags_(diags) {}

  // Loads a file from disk; null when unreadable (reported).
  Module* load_file(const std::string& display, const fs::path& canonical) {
    SourceFile file;
    std::size_t errors_before = diags_.error_count();
    auto program = parse_file(display, diags_, &file);
    if (!program) {
      failed_ = true;
      return nullptr;
    }
    if (diags_.error_count() > errors_before) failed_ = true;
    return add(display, canonical, std::move(file), std::move(*program));
  }

  // The prelude: as load_file, through parse_prelude's kept parse.
  Module* load_prelude_file(const std::string& display, const fs::path& canonical) {
    SourceFile file;
    std::size_t errors_before = diags_.error_count();
    auto program = parse_prelude(display, diags_, file);
    if (!program) {
      failed_ = true;
      return nullptr;
    }
    if (diags_.error_count() > errors_before) failed_ = true;
    return add(display, canonical, std::move(file), std::move(*program));
  }

  // A text parse() has already read: `had_syntax_errors` when that parse reported any.
  Module* load_parsed(const fs::path& canonical, SourceFile file, Program program, bool had_syntax_errors) {
    if (had_syntax_errors) failed_ = true;
    std::string display = file.path();
    return add(display, canonical, std::move(file), std::move(program));
  }

  // Loads every import of `m` (depth first), then builds m's scope.
  void resolve(Module* m) {
    stack_.push_back(m);
    for (const auto& item : m->program.items) {
      const auto* use = item.as<UseDecl>();
      if (!use) continue;
      std::string display = display_join(m->path, use->path);
      fs::path canonical = canonical_of(m->directory() / use->path);
      auto loaded = by_canonical_.find(canonical);
      if (loaded != by_canonical_.end()) {
        Module* target = loaded->second;
        if (in_stack(target)) {
          report_cycle(*m, *use, target);
          continue;
        }
        add_import(m, target);
        continue;
      }
      // Only programs are imported: parsing any other file (use "/etc/passwd") would echo its
      // lines back in syntax errors.
      if (fs::path(use->path).extension() != ".sftx") {
        diags_.error(m->source, use->path_range, "'use' imports .sftx files only, not '" + display + "'");
        continue;
      }
      std::error_code ec;
      if (!fs::is_regular_file(canonical, ec)) {
        diags_.error(m->source, use->path_range, "cannot find imported file '" + display + "'");
        continue;
      }
      Module* target = load_file(display, canonical);
      if (!target) continue;
      resolve(target);
      add_import(m, target);
    }
    stack_.pop_back();
    collect_definitions(m);
    build_scope(m);
    order_.push_back(m);
  }

  void set_prelude(Module* prelude) { prelude_ = prelude; }
  bool failed() const { return failed_; }

  void finish(LoadedProgram& program) {
    std::map<const Module*, std::unique_ptr<Module>> owned;
    for (auto& m : owned_) owned[m.get()] = std::move(m);
    for (Module* m : order_) program.modules.push_back(std::move(owned[m]));
  }

 private:
  Module* add(const std::string& display, const fs::path& canonical, SourceFile file, Program program) {
    auto m = std::make_unique<Module>();
    m->path = display;
    m->canonical = canonical;
    m->source = std::move(file);
    m->program = std::move(program);
    Module* raw = m.get();
    owned_.push_back(std::move(m));
    by_canonical_[canonical] = raw;
    return raw;
  }

  bool in_stack(const Module* m) const {
    for (const Module* s : stack_)
      if (s == m) return true;
    return false;
  }

  void report_cycle(const Module& importer, const UseDecl& use, const Module* target) {
    std::string chain;
    bool on = false;
    for (const Module* s : stack_) {
      if (s == target) on = true;
      if (on) chain += s->path + " -> ";
    }
    chain += target->path;
    diags_.error(importer.source, use.path_range, "import cycle: " + chain)
        .note("a file cannot import itself, directly or through other files");
  }

  void add_import(Module* m, const Module* target) {
    for (const Module* existing : m->imports)
      if (existing == target) return;
    m->imports.push_back(target);
  }

  void duplicate(const Module& m, const std::string& what, const std::string& name, SourceRange at,
                 const Definition& first) {
    diags_.error(m.source, at, what + " '" + name + "' is defined twice")
        .note("first defined here: " + where(*first.module, first.name_range));
  }

  void collect_definitions(Module* m) {
    for (const auto& item : m->program.items) {
      Definition d;
      d.module = m;
      if (const auto* b = item.as<Binding>()) {
        d.kind = Definition::Kind::binding;
        d.name = b->name;
        d.binding = b;
        d.name_range = b->name_range;
      } else if (const auto* p = item.as<PlanDecl>()) {
        d.kind = Definition::Kind::plan;
        d.name = p->name;
        d.plan = p;
        d.name_range = p->name_range;
        if (find_builtin(p->name))
          diags_.error(m->source, p->name_range, "plan '" + p->name + "' has the name of a built-in function")
              .help("rename the plan; calls to '" + p->name + "(...)' mean the built-in");
      } else if (const auto* e = item.as<ExperimentDecl>()) {
        d.kind = Definition::Kind::experiment;
        d.name = e->name;
        d.experiment = e;
        d.name_range = e->name_range;
        auto [it, fresh] = m->experiments.emplace(d.name, d);
        if (!fresh) duplicate(*m, "experiment", d.name, d.name_range, it->second);
        continue;
      } else if (const auto* defaults = item.as<DefaultsBlock>()) {
        for (const auto& f : defaults->fields) m->defaults.push_back(&f);
        continue;
      } else {
        continue;
      }
      auto [it, fresh] = m->definitions.emplace(d.name, d);
      if (!fresh) duplicate(*m, "name", d.name, d.name_range, it->second);
    }
  }

  void build_scope(Module* m) {
    for (const auto& [name, def] : m->definitions) m->scope[name] = &def;
    // Imports, in the order the `use` lines are written.
    std::size_t import_index = 0;
    for (const auto& item : m->program.items) {
      const auto* use = item.as<UseDecl>();
      if (!use) continue;
      fs::path canonical = canonical_of(m->directory() / use->path);
      auto found = by_canonical_.find(canonical);
      if (found == by_canonical_.end()) continue;
      const Module* imported = found->second;
      bool is_import = false;
      for (const Module* i : m->imports) is_import |= i == imported;
      if (!is_import) continue;  // a cyclic use, already reported
      ++import_index;
      for (const auto& [name, def] : imported->scope) {
        if (def->module->is_prelude) continue;
        auto existing = m->scope.find(name);
        if (existing == m->scope.end()) {
          m->scope[name] = def;
        } else if (existing->second != def) {
          const Definition* first = existing->second;
          if (first->module == m) {
            diags_.error(m->source, first->name_range,
                         "'" + name + "' is defined here and also imported from '" + imported->path + "'")
                .note("imported definition: " + where(*def->module, def->name_range));
          } else {
            diags_.error(m->source, use->path_range,
                         "'" + name + "' is imported from both '" + first->module->path + "' and '" +
                             def->module->path + "'")
                .note("first: " + where(*first->module, first->name_range))
                .note("second: " + where(*def->module, def->name_range));
          }
        }
      }
    }
    if (prelude_ && m != prelude_)
      for (const auto& [name, def] : prelude_->scope) m->scope.emplace(name, def);
  }

  Diagnostics& diags_;
  bool failed_ = false;
  Module* prelude_ = nullptr;
  std::vector<std::unique_ptr<Module>> owned_;
  std::map<fs::path, Module*> by_canonical_;
  std::vector<Module*> stack_;
  std::vector<Module*> order_;
};


// Every check in a process loads the same prelude, so its parse is kept and each check gets a
// copy of the tree (a Module owns its Program). It is keyed by the path and the whole text, so
// an edited or replaced prelude (or another $SFTX_PRELUDE) is parsed again, and kept only when
// it parsed without any diagnostic. One `sftx check` parses it once either way; a process that
// checks many texts (the parse+check fuzzer, the test binaries) parsed it for each, which was
// a third of the fuzzer's checking time.
std::optional<Program> parse_prelude(const std::string& path, Diagnostics& diags, SourceFile& source) {
  struct Kept {
    std::string path;
    std::string text;
    Program program;
  };
  static std::mutex mutex;
  static std::optional<Kept> kept;
  {
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    std::lock_guard<std::mutex> lock(mutex);
    if (kept && kept->path == path && !ec && size == kept->text.size()) {
      std::ifstream in(path, std::ios::binary);
      std::string text(size, '\0');
      if (in.read(text.data(), static_cast<std::streamsize>(size)) && in.peek() == std::ifstream::traits_type::eof() &&
          text == kept->text) {
        source = SourceFile(path, std::move(text));
        if (!diags.source(path)) diags.add_source(source);
        return kept->program;
      }
    }
  }
  std::size_t diagnostics_before = diags.all().size();
  auto program = parse_file(path, diags, &source);
  if (program && diags.all().size() == diagnostics_before) {
    std::lock_guard<std::mutex> lock(mutex);
    kept = Kept{path, source.text(), *program};
  }
  return program;
}

Module* load_prelude(Loader& loader, Diagnostics& diags) {
  fs::path path = prelude_path();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    diags.error(path.string(), "cannot find the prelude (set SFTX_PRELUDE to stdlib/prelude.sftx)");
    return nullptr;
  }
  Module* prelude = loader.load_prelude_file(path.string(), canonical_of(path));
  if (!prelude) return nullptr;
  prelude->is_prelude = true;
  loader.resolve(prelude);
  loader.set_prelude(prelude);
  return prelude;
}

// The program whose main module was just loaded (from a file or from text): its names
// resolved, or null when loading or resolving reported an error.
std::shared_ptr<LoadedProgram> resolved_program(Loader& loader, Module* main, Module* prelude) {
  if (!main) return nullptr;
  loader.resolve(main);
  if (loader.failed()) return nullptr;
  auto program = std::make_shared<LoadedProgram>();
  loader.finish(*program);
  program->main = main;
  program->prelude = prelude;
  return program;
}

}  // namespace

std::shared_ptr<LoadedProgram> load_program(const std::string& path, Diagnostics& diags) {
  Loader loader(diags);
  Module* prelude = load_prelude(loader, diags);
  if (!prelude) return nullptr;
  return resolved_program(loader, loader.load_file(path, canonical_of(path)), prelude);
}

std::shared_ptr<LoadedProgram> load_program_text(const std::string& display_path, const std::string& text,
                                                 const fs::path& directory, Diagnostics& diags) {
  SourceFile file(display_path, text);
  std::size_t errors_before = diags.error_count();
  auto program = parse(file, diags);
  bool had_syntax_errors = diags.error_count() > errors_before;
  return load_parsed_program(std::move(file), program ? std::move(*program) : Program{}, had_syntax_errors, directory,
                             diags);
}

std::shared_ptr<LoadedProgram> load_parsed_program(SourceFile source, Program program, bool had_syntax_errors,
                                                   const fs::path& directory, Diagnostics& diags) {
  Loader loader(diags);
  Module* prelude = load_prelude(loader, diags);
  if (!prelude) return nullptr;
  fs::path canonical = canonical_of(directory / fs::path(source.path()).filename());
  return resolved_program(loader, loader.load_parsed(canonical, std::move(source), std::move(program), had_syntax_errors),
                          prelude);
}

}  // namespace sftx
