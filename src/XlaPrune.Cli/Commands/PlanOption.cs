using XlaPrune.Models;
using XlaPrune.Pruning;

namespace XlaPrune.Cli;

/// <summary>--plan PLAN.json: the pruned model a plan describes.</summary>
internal static class PlanOption
{
    /// <summary>The plan's pruned model; the plan must be for <paramref name="model"/>, the model the options describe.</summary>
    public static Vgg16Spec Apply(string? planPath, Vgg16Spec model)
    {
        if (planPath is null)
        {
            return model;
        }

        var plan = Read(planPath);
        if (!plan.Model.Equals(model))
        {
            throw new CliException(ExitCodes.BadInput, $"{planPath}: the plan is for {plan.Model.Describe()}, not {model.Describe()} (pass the plan's model options)");
        }

        return plan.PrunedModel;
    }

    /// <summary>Reads a plan file; a missing or corrupt file is a one-line error with the bad-input exit code.</summary>
    public static PruningPlan Read(string planPath)
    {
        try
        {
            return PruningPlan.FromJson(System.Text.Encoding.UTF8.GetString(Output.ReadInput(planPath, "pruning plan")));
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.BadInput, $"{planPath}: {e.Message}", e);
        }
    }
}
