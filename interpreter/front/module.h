// A loaded .sftx file: its text, syntax tree, own definitions and the names it can see.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grammar/ast.h"
#include "grammar/source.h"

namespace sftx {

struct Module;

// A top-level name: `name = expr`, `plan name`, or `experiment name`.
struct Definition {
  enum class Kind { binding, plan, experiment };
  Kind kind = Kind::binding;
  std::string name;
  const Module* module = nullptr;
  const Binding* binding = nullptr;
  const PlanDecl* plan = nullptr;
  const ExperimentDecl* experiment = nullptr;
  SourceRange name_range;
};

struct Module {
  std::string path;                    // for messages: as given, or joined onto the importer's
  std::filesystem::path canonical;     // identity (imports of one file from two places are one module)
  SourceFile source;
  Program program;
  bool is_prelude = false;
  std::map<std::string, Definition> definitions;   // bindings and plans of this file
  std::map<std::string, Definition> experiments;   // experiments of this file
  std::vector<const Module*> imports;              // direct `use`s, in order
  // Every name visible in this file: its own, its imports' (transitively), the prelude's.
  std::map<std::string, const Definition*> scope;
  std::vector<const Field*> defaults;              // fields of its defaults { } blocks, in order

  std::filesystem::path directory() const { return canonical.parent_path(); }
};

// All files of one check: the prelude, the main file and everything it imports.
struct LoadedProgram {
  std::vector<std::unique_ptr<Module>> modules;    // dependencies before dependents
  const Module* main = nullptr;
  const Module* prelude = nullptr;
};

}  // namespace sftx
