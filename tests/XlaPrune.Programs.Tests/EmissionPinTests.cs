using System.Security.Cryptography;
using System.Text;
using XlaPrune.Models;
using XlaPrune.Programs;

namespace XlaPrune.Programs.Tests;

/// <summary>
/// The bytes of emitted programs are pinned: refactoring the builder, the op table or the writers must not
/// change a single byte of HLO text, HloModuleProto or StableHLO text. The hashes were taken before the op
/// table existed; change them only for an intended change of emission, and say why in the commit.
/// </summary>
public class EmissionPinTests
{
    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Sha(string text) => Sha(Encoding.UTF8.GetBytes(text));

    public static TheoryData<string, string, string, string> Programs() => new()
    {
        { "cifar_train_wd_slim", "a0fa827ca78c7594ec825a7272216c379ab2b31dddae355e861b10fd48a52933", "6ad582e09a890fad97b6e8c82cc0f15ae8f9d24156072b03a49f721a940746b7", "9a41b712eaa4b45c4c72fd57e93370b9703aa0abdd2b8b7e88d15b6578c52fce" },
        { "imagenet_train_dropout", "4b0081d56c330e9231a13ef1576018c6f218fd615db6bb2585ec7078a6f2923d", "c349232caba98dbee88a2e450b8da557c5f36cc26a9a8793d2164940a1e42a6c", "59581d799123466c51f901f92b1406a3c1778c3d77dc505956859c888f9d1464" },
        { "cifar_eval", "a4f130cde3b91c30dfb8b99c7d199738451542a35fab3dd9f69eb8241d6184b6", "b566262bf4f9e179830b467bffc3e56924c99b7deff822aa1dc412e5ac1c6111", "f326d199cd6acff132964f9b0d20043d961a74019cf3af2eaf08ae9914e20069" },
    };

    // Pinned in NCHW, the order the hashes were taken in (NHWC became the default later).
    private static Vgg16Program Build(string name) => name switch
    {
        "cifar_train_wd_slim" => Vgg16Programs.TrainStep(Vgg16Spec.Cifar(inputChannels: 1, classes: 3, width: 1.0 / 16), 2, new TrainStepOptions(WeightDecay: 5e-4, SlimmingLambda: 1e-3), DataFormat.Nchw),
        "imagenet_train_dropout" => Vgg16Programs.TrainStep(Vgg16Spec.ImageNet(classes: 5, width: 1.0 / 16, imageSize: 32, classifierHidden: 8), 2, format: DataFormat.Nchw),
        _ => Vgg16Programs.EvalStep(Vgg16Spec.Cifar(inputChannels: 3, classes: 10, width: 1.0 / 8), 4, DataFormat.Nchw),
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public void Emitted_bytes_are_unchanged(string name, string hloText, string proto, string mlir)
    {
        var m = Build(name).Module;
        Assert.Equal(hloText, Sha(m.ToHloText()));
        Assert.Equal(proto, Sha(m.ToProtoBytes()));
        Assert.Equal(mlir, Sha(m.ToMlirText()));
    }
}
