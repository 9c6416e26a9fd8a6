using XlaPrune.Models;
using XlaPrune.Pruning;

namespace XlaPrune.Cli;

/// <summary>--plan PLAN.json: the pruned model a plan describes; the plan's own model replaces the model options.</summary>
internal static class PlanOption
{
    public static Vgg16Spec Apply(string? planPath, Vgg16Spec model)
    {
        if (planPath is null)
        {
            return model;
        }

        PruningPlan plan;
        try
        {
            plan = PruningPlan.FromJson(System.Text.Encoding.UTF8.GetString(Output.ReadInput(planPath, "pruning plan")));
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.BadInput, $"{planPath}: {e.Message}", e);
        }

        return plan.PrunedModel;
    }
}
