// The converter from pytorch_GAN_zoo's PGAN checkpoints (torch.save of {'config', 'netG', 'netD',
// 'avgG'}, or a GNet state dict alone) to a progressive generator: avgG (the moving average)
// when present, else netG; the config read from the tensors' shapes; only the output's to-RGB kept.

extension ProgressiveGenerator {
    /// The generator of the checkpoint at `path` (either torch.save format) and which state
    /// dict it came from ("avgG", "netG" or "the file's dict").
    public static func convert(pytorchCheckpoint path: String) throws -> (
        generator: ProgressiveGenerator, source: String
    ) {
        let checkpoint = try TorchCheckpoint(path)
        let candidates: [(String?, String)] = [("avgG", "avgG"), ("netG", "netG"), (nil, "the file's dict")]
        for (key, source) in candidates {
            guard let dict = try checkpoint.stateDict(key), !dict.isEmpty,
                dict.keys.contains(where: { $0.hasPrefix("formatLayer") })
            else { continue }
            return (try generator(dict, path: path), source)
        }
        throw EngineError.badFile(
            path: path,
            problem: "holds no PGAN generator: expected a dict with 'avgG' or 'netG' "
                + "(pytorch_GAN_zoo's checkpoint) or a GNet state dict with formatLayer.weight")
    }

    /// A GNet state dict's tensors under the names of `ProgressiveGeneratorConfig.tensorShapes`.
    /// Older checkpoints name ConstrainedLayer's wrapped module (`formatLayer.module.weight`).
    static func generator(_ stateDict: [String: HostTensor], path: String) throws -> ProgressiveGenerator {
        let named = Dictionary(
            stateDict.map { ($0.key.replacingOccurrences(of: ".module.", with: "."), $0.value) },
            uniquingKeysWith: { first, _ in first })
        guard let dense = named["formatLayer.weight"], dense.shape.count == 2, dense.shape[0] % 16 == 0 else {
            throw EngineError.badFile(path: path, problem: "has no formatLayer.weight [16·width, latent]")
        }
        var widths = [dense.shape[0] / 16]
        while let w = named["scaleLayers.\(widths.count - 1).1.weight"], w.shape.count == 4 {
            widths.append(w.shape[0])
        }
        let config = try ProgressiveGeneratorConfig(latent: dense.shape[1], widths: widths)
        var tensors = named.filter { !$0.key.hasPrefix("toRGBLayers.") }
        for part in ["weight", "bias"] {
            tensors["toRGB.\(part)"] = named["toRGBLayers.\(widths.count - 1).\(part)"]
        }
        let wanted = Set(config.tensorShapes.map(\.name))
        return try ProgressiveGenerator(
            config: config, tensors: tensors.filter { wanted.contains($0.key) }, source: path)
    }
}
