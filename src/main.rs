fn main() -> std::process::ExitCode {
    rewind::cli::main()
}
