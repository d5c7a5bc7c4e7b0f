import ArgumentParser

@main
struct Inquest: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inquest", abstract: "Offline log and trace analysis.")
}
