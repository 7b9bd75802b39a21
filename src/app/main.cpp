#include "app/cli.hpp"

int main(int argc, char** argv) { return fno::app::run_cli(argc, argv); }
