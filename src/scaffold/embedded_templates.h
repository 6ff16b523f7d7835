// The project templates of `zerostart new`, compiled into the binary: every file under
// src/scaffold/templates/<kit>/<path> (cmake/embed_templates.cmake writes the table at build
// time). Files of the kit "common" belong to every template; a template's own file of the same
// path replaces it. Paths end in ".in" and may start with "dot-" (a dotfile); texts hold
// @PLACEHOLDER@s that project_template.h fills in.
// Thread safety: immutable static data.
#ifndef ZEROSTART_SRC_SCAFFOLD_EMBEDDED_TEMPLATES_H_
#define ZEROSTART_SRC_SCAFFOLD_EMBEDDED_TEMPLATES_H_

#include <span>
#include <string_view>

namespace zerostart::scaffold {

struct EmbeddedFile {
  std::string_view kit;   // "common", "hello", "http", "stream"
  std::string_view path;  // e.g. "src/handler.cc.in", "dot-gitignore.in"
  std::string_view text;
};

// Every embedded file, sorted by kit then path.
std::span<const EmbeddedFile> EmbeddedTemplateFiles();

}  // namespace zerostart::scaffold

#endif  // ZEROSTART_SRC_SCAFFOLD_EMBEDDED_TEMPLATES_H_
