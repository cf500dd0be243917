using 'main.bicep'

param prefix = 'avcloud'
param preservationLocation = 'chinaeast2'
param audience = 'api://avcloud'
param policyMode = 'Locked'
param coolAfterDays = 90
param coldAfterDays = 365
