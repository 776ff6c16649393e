import { Length, Max, Min } from 'class-validator';
import { Field, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One rule of the shared lead score: when the condition on the attribute holds, add the points.' })
export class ScoringRule {
  @Field({ description: 'What is scored, e.g. "jobTitle", "companySize", "visitedPricingPage".' })
  attribute: string;

  @Field({ description: 'The condition, in words both teams signed, e.g. "contains VP or Director".' })
  condition: string;

  @Field(() => Int, { description: 'Points added when it holds (negative to subtract).' })
  points: number;
}

@InputType({ description: 'One rule of the shared lead score.' })
export class ScoringRuleInput {
  @Field({ description: 'What is scored.' })
  @Length(1, 100)
  attribute: string;

  @Field({ description: 'The condition.' })
  @Length(1, 500)
  condition: string;

  @Field(() => Int, { description: 'Points added when it holds.' })
  @Min(-1000)
  @Max(1000)
  points: number;
}
