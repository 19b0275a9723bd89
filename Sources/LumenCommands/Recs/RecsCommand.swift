import ArgumentParser

/// `lumen recs`: explainable matrix factorisation with neighbourhood rationales.
struct RecsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recs",
        abstract: "Train and query explainable recommenders (EMF) that say why they recommend.",
        discussion: """
            A typical session:
              lumen recs train --ratings data/ml-100k/ml-100k.inter --items data/ml-100k/ml-100k.item --out models/ml100k.safetensors
              lumen recs recommend --model models/ml100k.safetensors --user 196
              lumen recs explain --model models/ml100k.safetensors --user 196 --item 242
              lumen recs evaluate --ratings data/ml-100k/ml-100k.inter --lambdas 0,0.05,0.2
            """,
        subcommands: [
            RecsTrainCommand.self, RecsRecommendCommand.self, RecsExplainCommand.self, RecsEvaluateCommand.self,
            RecsImportCommand.self, RecsAuditCommand.self, RecsInspectCommand.self, RecsSynthesizeCommand.self,
        ]
    )
}
