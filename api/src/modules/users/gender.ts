import { registerEnumType } from 'type-graphql';

/** Self-described gender; optional on sign-up. */
export enum Gender {
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  NONBINARY = 'NONBINARY',
}

registerEnumType(Gender, {
  name: 'Gender',
  description: 'Self-described gender, shown to match partners',
  valuesConfig: {
    FEMALE: { description: 'Female' },
    MALE: { description: 'Male' },
    NONBINARY: { description: 'Non-binary' },
  },
});
