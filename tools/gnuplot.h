// Plots through gnuplot: data files and a script in a scratch directory,
// gnuplot run on it, the directory removed.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace sbpf::tools {

// `write` puts its data files in the directory it is given and returns the
// script (which may name them by their full paths). A UsageError when
// gnuplot fails, naming `png`.
void draw_with_gnuplot(const std::string& png, const std::function<std::string(const std::filesystem::path&)>& write);

}  // namespace sbpf::tools
