#include "interpreter/front/check.h"

#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/resolve.h"

namespace sftx {

namespace {

std::optional<CheckedProgram> check_loaded(std::shared_ptr<LoadedProgram> program, const std::filesystem::path& file,
                                           Diagnostics& diags, const CheckOptions& options) {
  std::size_t errors_before = diags.error_count();
  auto config = load_project_config(file, diags);
  if (!config) return std::nullopt;
  const Profile* profile = nullptr;
  if (!options.profile.empty()) {
    auto it = config->profiles.find(options.profile);
    if (it == config->profiles.end()) {
      std::vector<std::string> names;
      for (const auto& [name, p] : config->profiles) names.push_back(name);
      // Say which sftx.toml was read: with several in a tree, the nearest one above the file
      // wins, and it may not be the one the user edited.
      std::string where = config->path.empty() ? file.string() : config->path.string();
      std::string searched = std::filesystem::absolute(file).parent_path().string();
      auto& d = diags.error(where, config->path.empty()
                                       ? "no sftx.toml in " + searched + " or any directory above it, so there is no profile '" +
                                             options.profile + "'"
                                       : "unknown profile '" + options.profile + "' in " + config->path.string());
      std::string hint = did_you_mean(options.profile, names);
      if (!hint.empty()) d.help(hint);
      if (!config->path.empty())
        d.note(names.empty() ? "it defines no [profile.NAME] tables" : "its profiles: " + join_names(names));
      if (!config->path.empty()) d.note("the sftx.toml read is the first found from " + searched + " upwards");
      return std::nullopt;
    }
    profile = &it->second;
  }
  if (!program) return std::nullopt;
  Evaluator evaluator(*program, &*config, profile, diags);
  evaluator.check_all();
  if (diags.error_count() > errors_before) return std::nullopt;
  CheckedProgram checked;
  checked.program = std::move(program);
  checked.config = std::move(*config);
  checked.profile = options.profile;
  checked.experiments = evaluator.experiments();
  return checked;
}

// check_text's and check_parsed's common part: `program` was loaded from a text named
// `display_path` in `directory`; errors beyond `errors_before` mean the check failed.
std::optional<CheckedProgram> check_program_in(std::shared_ptr<LoadedProgram> program, const std::string& display_path,
                                               const std::filesystem::path& directory, std::size_t errors_before,
                                               Diagnostics& diags, const CheckOptions& options) {
  if (!program) return std::nullopt;
  auto checked = check_loaded(std::move(program), directory / std::filesystem::path(display_path).filename(), diags,
                              options);
  if (diags.error_count() > errors_before) return std::nullopt;
  return checked;
}

}  // namespace

std::optional<CheckedProgram> check_file(const std::string& path, Diagnostics& diags, const CheckOptions& options) {
  std::size_t errors_before = diags.error_count();
  auto program = load_program(path, diags);
  if (!program || diags.error_count() > errors_before) {
    // Name-level errors from loading are reported; go on checking to find the rest, but
    // only when the files parsed.
    if (!program) return std::nullopt;
  }
  auto checked = check_loaded(std::move(program), path, diags, options);
  diags.sort();
  if (diags.error_count() > errors_before) return std::nullopt;
  return checked;
}

std::optional<CheckedProgram> check_text(const std::string& display_path, const std::string& text,
                                         const std::filesystem::path& directory, Diagnostics& diags,
                                         const CheckOptions& options) {
  std::size_t errors_before = diags.error_count();
  auto program = load_program_text(display_path, text, directory, diags);
  return check_program_in(std::move(program), display_path, directory, errors_before, diags, options);
}

std::optional<CheckedProgram> check_parsed(SourceFile source, Program program, bool had_syntax_errors,
                                           const std::filesystem::path& directory, Diagnostics& diags,
                                           const CheckOptions& options) {
  // Syntax errors are already in `diags`; with any, loading returns null and so does this.
  std::size_t errors_before = diags.error_count();
  std::string display_path = source.path();
  auto loaded = load_parsed_program(std::move(source), std::move(program), had_syntax_errors, directory, diags);
  return check_program_in(std::move(loaded), display_path, directory, errors_before, diags, options);
}

}  // namespace sftx
